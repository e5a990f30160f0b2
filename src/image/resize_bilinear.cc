#include "image/resize_bilinear.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "facekit/error.h"

namespace facekit {

namespace {
// Where one output coordinate reads: the two source indices and the weight
// of the second.
struct Tap {
  int lo, hi;
  double frac;
};

std::vector<Tap> taps(int in, int out) {
  std::vector<Tap> t(static_cast<size_t>(out));
  const double ratio = static_cast<double>(in) / out;
  for (int i = 0; i < out; ++i) {
    const double src = ratio * i;
    const int lo = std::max(0, static_cast<int>(std::floor(src)));
    t[i] = {lo, std::min(in - 1, static_cast<int>(std::ceil(src))), src - lo};
  }
  return t;
}
}  // namespace

cv::Mat resize_bilinear_legacy(const cv::Mat& image, int out_h, int out_w) {
  check(!image.empty() && (image.depth() == CV_8U || image.depth() == CV_32F) &&
            (image.channels() == 1 || image.channels() == 3),
        "resize_bilinear_legacy", "expected a non-empty 8-bit or float image with 1 or 3 channels");
  check(out_h > 0 && out_w > 0, "resize_bilinear_legacy", "output size must be positive");
  cv::Mat src = image;
  if (image.depth() == CV_8U) image.convertTo(src, CV_32F);  // exact: every byte is a float
  const int ch = src.channels();
  const std::vector<Tap> rows = taps(src.rows, out_h), cols = taps(src.cols, out_w);
  cv::Mat out(out_h, out_w, CV_32FC(ch));
  for (int y = 0; y < out_h; ++y) {
    const Tap& r = rows[y];
    const float* top = src.ptr<float>(r.lo);
    const float* bottom = src.ptr<float>(r.hi);
    float* dst = out.ptr<float>(y);
    for (const Tap& c : cols) {
      for (int k = 0; k < ch; ++k) {
        const double tl = top[c.lo * ch + k], tr = top[c.hi * ch + k];
        const double bl = bottom[c.lo * ch + k], br = bottom[c.hi * ch + k];
        const double upper = tl + (tr - tl) * c.frac;
        const double lower = bl + (br - bl) * c.frac;
        *dst++ = static_cast<float>(upper + (lower - upper) * r.frac);
      }
    }
  }
  return out;
}

}  // namespace facekit
