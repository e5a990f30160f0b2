#include "analyze/resample.h"

#include "facekit/error.h"

namespace facekit::analyze {

cv::Mat to_grey(const cv::Mat& rgb) {
  const cv::Mat src = to_float(rgb);
  check(src.channels() == 3, "face crop", "grey conversion needs an RGB image");
  cv::Mat out(src.rows, src.cols, CV_32FC1);
  for (int r = 0; r < src.rows; ++r) {
    const float* in = src.ptr<float>(r);
    float* o = out.ptr<float>(r);
    for (int c = 0; c < src.cols; ++c)
      o[c] = 0.2989f * in[3 * c] + 0.5870f * in[3 * c + 1] + 0.1140f * in[3 * c + 2];
  }
  return out;
}

}  // namespace facekit::analyze
