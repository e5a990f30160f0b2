#include "image/scale_android.h"

#include <algorithm>
#include <cmath>

#include "facekit/error.h"

namespace facekit {

namespace {

// The two source indices (clamped) and the weight of the second for output
// index i along an axis of n pixels.
struct Tap {
  int a, b;
  double w;
};

std::vector<Tap> taps(int count, double origin, double scale, int n) {
  std::vector<Tap> out(count);
  for (int i = 0; i < count; ++i) {
    const double f = origin + (i + 0.5) / scale - 0.5;
    const double lo = std::floor(f);
    const int i0 = static_cast<int>(lo);
    out[i] = {std::clamp(i0, 0, n - 1), std::clamp(i0 + 1, 0, n - 1), f - lo};
  }
  return out;
}

}  // namespace

cv::Mat scale_android(const cv::Mat& rgb, double x, double y, double sx, double sy, cv::Size size) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "Android bitmap scaling", "the image must be non-empty 8-bit RGB");
  check(size.width > 0 && size.height > 0, "Android bitmap scaling", "the output size must be positive");
  check(std::isfinite(sx) && std::isfinite(sy) && sx > 0 && sy > 0 && std::isfinite(x) && std::isfinite(y),
        "Android bitmap scaling", "the scale must be positive and the origin finite");
  const std::vector<Tap> cols = taps(size.width, x, sx, rgb.cols), rows = taps(size.height, y, sy, rgb.rows);
  cv::Mat out(size, CV_8UC3);
  for (int j = 0; j < size.height; ++j) {
    const auto* top = rgb.ptr<cv::Vec3b>(rows[j].a);
    const auto* bottom = rgb.ptr<cv::Vec3b>(rows[j].b);
    const double wy = rows[j].w;
    auto* dst = out.ptr<cv::Vec3b>(j);
    for (int i = 0; i < size.width; ++i) {
      const Tap& t = cols[i];
      for (int c = 0; c < 3; ++c) {
        const double v = (1 - wy) * ((1 - t.w) * top[t.a][c] + t.w * top[t.b][c]) +
                         wy * ((1 - t.w) * bottom[t.a][c] + t.w * bottom[t.b][c]);
        dst[i][c] = static_cast<uchar>(std::clamp(std::floor(v + 0.5), 0.0, 255.0));
      }
    }
  }
  return out;
}

}  // namespace facekit
