// Images: reading any common file into the one pixel format every stage
// takes — 8-bit, 3-channel RGB, as a cv::Mat (CV_8UC3).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace facekit {

// What a decoder may allocate. A file whose header announces more is refused
// before any pixel memory is taken.
struct ImageLimits {
  int64_t max_pixels = 100'000'000;       // 100 megapixels
  int64_t max_file_bytes = 512ll << 20;   // 512 MiB
};

// Reads an image file (JPEG, PNG, BMP, TIFF, WebP, PNM, ...) as 8-bit RGB.
// EXIF orientation is applied; grey, grey+alpha, RGBA (alpha dropped, not
// composited), 16-bit and CMYK images are converted. Throws Error naming the
// file and the reason for a missing, empty, truncated, undecodable or
// oversized file.
cv::Mat read_image(const std::string& path, const ImageLimits& limits = {});

// Whether `path` has the extension of a format read_image reads (JPEG, PNG,
// BMP, TIFF, WebP, PNM), in any letter case: how folders of images are listed.
bool has_image_extension(const std::filesystem::path& path);

// The same over bytes in memory; `name` is used in error messages only.
cv::Mat decode_image(const std::string& name, const std::vector<uint8_t>& bytes,
                     const ImageLimits& limits = {});

// Writes an 8-bit RGB image; the format follows the extension. Throws Error
// naming the file when it cannot be written.
void write_image(const std::string& path, const cv::Mat& rgb);

}  // namespace facekit
