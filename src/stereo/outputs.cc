// Writing the maps: 8-bit and 16-bit images, NumPy arrays, a PLY mesh.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "facekit/error.h"
#include "facekit/stereo.h"
#include "percentile.h"

namespace facekit::stereo {

namespace {

// .npy and the PLY are written as little-endian, the host's order.
static_assert(std::endian::native == std::endian::little);

void check_mask(const cv::Mat& map, const cv::Mat& mask, const std::string& who) {
  check(mask.type() == CV_8UC1 && mask.size() == map.size(), who, "mask must be CV_8U of the map's size");
}

}  // namespace

cv::Mat normals_to_rgb(const cv::Mat& normals, const cv::Mat& mask) {
  check(normals.type() == CV_32FC3, "normals_to_rgb", "normals must be CV_32FC3");
  check_mask(normals, mask, "normals_to_rgb");
  cv::Mat rgb;
  normals.convertTo(rgb, CV_8UC3, 127.5, 127.5);
  rgb.setTo(cv::Scalar::all(0), mask == 0);
  return rgb;
}

cv::Mat map_to_grey(const cv::Mat& map, const cv::Mat& mask) {
  check(map.type() == CV_32FC1, "map_to_grey", "map must be CV_32F");
  check_mask(map, mask, "map_to_grey");
  const double top = masked_percentile(map, mask, 0.995);
  cv::Mat grey;
  map.convertTo(grey, CV_8U, top > 0 ? 255 / top : 0);
  grey.setTo(0, mask == 0);
  return grey;
}

cv::Mat depth_to_u16(const cv::Mat& depth, const cv::Mat& mask) {
  check(depth.type() == CV_32FC1, "depth_to_u16", "depth must be CV_32F");
  check_mask(depth, mask, "depth_to_u16");
  double low = 0, high = 0;
  cv::minMaxLoc(depth, &low, &high, nullptr, nullptr, mask);
  const double scale = high > low ? 65534 / (high - low) : 0;
  cv::Mat u16;
  depth.convertTo(u16, CV_16U, scale, 1 - low * scale);
  u16.setTo(0, mask == 0);
  return u16;
}

void write_npy(const std::string& path, const cv::Mat& map) {
  check(map.depth() == CV_32F && (map.channels() == 1 || map.channels() == 3), path,
        "write_npy takes CV_32F maps of 1 or 3 channels");
  std::string shape = "(" + std::to_string(map.rows) + ", " + std::to_string(map.cols) +
                      (map.channels() == 1 ? ")" : ", " + std::to_string(map.channels()) + ")");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header, padded with spaces and a
  // newline to a multiple of 64 bytes, as the format asks.
  const size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::ofstream out(path, std::ios::binary);
  const uint16_t length = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out << header;
  const cv::Mat contiguous = map.isContinuous() ? map : map.clone();
  out.write(reinterpret_cast<const char*>(contiguous.data), static_cast<std::streamsize>(contiguous.total() * contiguous.elemSize()));
  check(out.good(), path, "cannot write the file");
}

void write_u16(const std::string& path, const cv::Mat& u16) {
  check(u16.type() == CV_16UC1, path, "write_u16 takes a CV_16U image");
  bool written = false;
  try {
    written = cv::imwrite(path, u16);
  } catch (const cv::Exception& e) {
    throw Error(path + ": cannot write the image: " + e.what());
  }
  check(written, path, "cannot write the image (unknown extension or unwritable place)");
}

void write_ply(const std::string& path, const cv::Mat& depth, const cv::Mat& albedo, const cv::Mat& mask) {
  check(depth.type() == CV_32FC1 && albedo.type() == CV_32FC1 && albedo.size() == depth.size(), path,
        "write_ply takes CV_32F depth and albedo of one size");
  check_mask(depth, mask, path);
  const cv::Mat grey = map_to_grey(albedo, mask);
  cv::Mat index(depth.size(), CV_32S, cv::Scalar(-1));
  int vertices = 0;
  for (int y = 0; y < depth.rows; ++y)
    for (int x = 0; x < depth.cols; ++x)
      if (mask.at<uchar>(y, x)) index.at<int>(y, x) = vertices++;
  std::vector<std::array<int32_t, 3>> triangles;
  for (int y = 0; y + 1 < depth.rows; ++y)
    for (int x = 0; x + 1 < depth.cols; ++x) {
      const int a = index.at<int>(y, x), b = index.at<int>(y, x + 1), c = index.at<int>(y + 1, x),
                d = index.at<int>(y + 1, x + 1);
      if (a < 0 || b < 0 || c < 0 || d < 0) continue;
      // Counter-clockwise seen from +z (y up): the front faces the camera.
      triangles.push_back({a, c, b});
      triangles.push_back({b, c, d});
    }
  std::ofstream out(path, std::ios::binary);
  out << "ply\nformat binary_little_endian 1.0\ncomment facekit photometric stereo depth\n"
      << "element vertex " << vertices << "\nproperty float x\nproperty float y\nproperty float z\n"
      << "property uchar red\nproperty uchar green\nproperty uchar blue\n"
      << "element face " << triangles.size() << "\nproperty list uchar int vertex_indices\nend_header\n";
  for (int y = 0; y < depth.rows; ++y)
    for (int x = 0; x < depth.cols; ++x) {
      if (index.at<int>(y, x) < 0) continue;
      const float xyz[3] = {static_cast<float>(x), static_cast<float>(-y), depth.at<float>(y, x)};
      const uchar g = grey.at<uchar>(y, x), rgb[3] = {g, g, g};
      out.write(reinterpret_cast<const char*>(xyz), sizeof xyz);
      out.write(reinterpret_cast<const char*>(rgb), sizeof rgb);
    }
  for (const auto& t : triangles) {
    const uchar count = 3;
    out.write(reinterpret_cast<const char*>(&count), 1);
    out.write(reinterpret_cast<const char*>(t.data()), sizeof(int32_t) * 3);
  }
  check(out.good(), path, "cannot write the file");
}

}  // namespace facekit::stereo
