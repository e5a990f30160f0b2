#include "image/crop_and_resize.h"

#include <algorithm>
#include <cmath>

#include "facekit/error.h"

namespace facekit {

cv::Mat to_float(const cv::Mat& image) {
  check(!image.empty() && (image.channels() == 1 || image.channels() == 3), "face crop",
        "expected a non-empty 1- or 3-channel image");
  if (image.depth() == CV_32F) return image;
  check(image.depth() == CV_8U, "face crop", "expected 8-bit or float pixels");
  cv::Mat out;
  image.convertTo(out, CV_32F);
  return out;
}

namespace {

// One bilinear read at fractional source coordinates inside the image,
// with tfjs' order of operations (double precision, as JavaScript computes).
void bilinear(const cv::Mat& src, double y, double x, float* out) {
  const int channels = src.channels();
  const int top = std::max(0, static_cast<int>(std::floor(y)));
  const int left = std::max(0, static_cast<int>(std::floor(x)));
  const int bottom = std::min(src.rows - 1, static_cast<int>(std::ceil(y)));
  const int right = std::min(src.cols - 1, static_cast<int>(std::ceil(x)));
  const double fy = y - top, fx = x - left;
  const float* tl = src.ptr<float>(top) + left * channels;
  const float* tr = src.ptr<float>(top) + right * channels;
  const float* bl = src.ptr<float>(bottom) + left * channels;
  const float* br = src.ptr<float>(bottom) + right * channels;
  for (int c = 0; c < channels; ++c) {
    const double upper = tl[c] + (tr[c] - static_cast<double>(tl[c])) * fx;
    const double lower = bl[c] + (br[c] - static_cast<double>(bl[c])) * fx;
    out[c] = static_cast<float>(upper + (lower - upper) * fy);
  }
}

}  // namespace

cv::Mat crop_and_resize(const cv::Mat& image, float y1, float x1, float y2, float x2, int height, int width) {
  const cv::Mat src = to_float(image);
  cv::Mat out(height, width, CV_32FC(src.channels()), cv::Scalar::all(0));
  const double last_row = src.rows - 1, last_col = src.cols - 1;
  const double row_step = height > 1 ? (y2 - y1) * last_row / (height - 1) : 0;
  const double col_step = width > 1 ? (x2 - x1) * last_col / (width - 1) : 0;
  for (int r = 0; r < height; ++r) {
    const double y = height > 1 ? y1 * last_row + r * row_step : 0.5 * (y1 + y2) * last_row;
    if (y < 0 || y > last_row) continue;
    float* row = out.ptr<float>(r);
    for (int c = 0; c < width; ++c) {
      const double x = width > 1 ? x1 * last_col + c * col_step : 0.5 * (x1 + x2) * last_col;
      if (x < 0 || x > last_col) continue;
      bilinear(src, y, x, row + c * src.channels());
    }
  }
  return out;
}

}  // namespace facekit
