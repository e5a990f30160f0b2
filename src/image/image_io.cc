// Image files to RGB and back, through OpenCV's codecs. The header is read
// here first (probe_image) so that a file is refused for its announced size
// before OpenCV allocates anything: OpenCV's own cap
// (OPENCV_IO_MAX_IMAGE_PIXELS) is process-wide, read once, and would not
// honour a per-call ImageLimits.
#include <filesystem>
#include <fstream>
#include <system_error>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "image/image_header.h"

namespace facekit {

namespace fs = std::filesystem;

namespace {

void check_file_size(const std::string& name, uint64_t size, const ImageLimits& limits) {
  check(size > 0, name, "empty file");
  check(size <= static_cast<uint64_t>(limits.max_file_bytes), name,
        "file of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(limits.max_file_bytes) +
            " bytes");
}

}  // namespace

cv::Mat decode_image(const std::string& name, const std::vector<uint8_t>& bytes, const ImageLimits& limits) {
  check_file_size(name, bytes.size(), limits);
  const ImageHeader header = probe_image(name, bytes);
  check(header.width <= limits.max_pixels / header.height, name,
        header.format + " image of " + std::to_string(header.width) + "x" + std::to_string(header.height) +
            " pixels exceeds the limit of " + std::to_string(limits.max_pixels) + " pixels");
  check(header.truncation.empty(), name, header.format + " data is truncated (" + header.truncation + ")");
  cv::Mat bgr;
  try {
    // IMREAD_COLOR: 8-bit, 3 channels, whatever the file holds (grey, alpha,
    // palette, 16-bit, CMYK), with the EXIF orientation applied.
    bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw Error(name + ": cannot decode the " + header.format + " data: " + e.err);
  }
  check(!bgr.empty(), name, "cannot decode the " + header.format + " data (corrupt or truncated)");
  check(bgr.type() == CV_8UC3 && static_cast<int64_t>(bgr.total()) <= limits.max_pixels, name,
        "decoded " + header.format + " image does not match its header");
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat read_image(const std::string& path, const ImageLimits& limits) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  // ENOENT is "no such file"; anything else (a symlink loop, a folder on the
  // way that may not be searched) says so in its own words.
  check(!ec || ec == std::errc::no_such_file_or_directory, path, "cannot read: " + ec.message());
  check(fs::exists(status), path, "no such file");
  check(fs::is_regular_file(status), path, "not a regular file");
  const uint64_t size = fs::file_size(path, ec);
  check(!ec, path, "cannot read: " + ec.message());
  check_file_size(path, size, limits);
  std::vector<uint8_t> bytes(size);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  check(in && static_cast<uint64_t>(in.gcount()) == size, path, "cannot read the file");
  return decode_image(path, bytes, limits);
}

void write_image(const std::string& path, const cv::Mat& rgb) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, path, "can only write a non-empty 8-bit RGB image");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  bool written = false;
  try {
    written = cv::imwrite(path, bgr);
  } catch (const cv::Exception& e) {
    throw Error(path + ": cannot write the image: " + e.err);
  }
  check(written, path, "cannot write the image (unknown extension or unwritable location)");
}

}  // namespace facekit
