#include "image/to_tensor.h"

#include "facekit/error.h"

namespace facekit {

nn::Tensor to_tensor(const cv::Mat& image, float mean, float std) {
  return to_tensor(std::vector<cv::Mat>{image}, mean, std);
}

nn::Tensor to_tensor(const std::vector<cv::Mat>& images, float mean, float std) {
  check(!images.empty(), "to_tensor", "no images");
  const cv::Mat& first = images.front();
  check((first.depth() == CV_8U || first.depth() == CV_32F) && (first.channels() == 1 || first.channels() == 3) &&
            !first.empty(),
        "to_tensor", "expected non-empty 8-bit or float images with 1 or 3 channels");
  const int h = first.rows, w = first.cols, c = first.channels();
  nn::Tensor t(nn::DType::kFloat32, {static_cast<int64_t>(images.size()), h, w, c});
  float* out = t.data<float>();
  const float scale = 1.0f / std;
  for (const cv::Mat& im : images) {
    check(im.rows == h && im.cols == w && im.type() == first.type(), "to_tensor", "images of different sizes or types");
    for (int y = 0; y < h; ++y) {
      if (im.depth() == CV_8U) {
        const uint8_t* row = im.ptr<uint8_t>(y);
        for (int i = 0; i < w * c; ++i) *out++ = (static_cast<float>(row[i]) - mean) * scale;
      } else {
        const float* row = im.ptr<float>(y);
        for (int i = 0; i < w * c; ++i) *out++ = (row[i] - mean) * scale;
      }
    }
  }
  return t;
}

}  // namespace facekit
