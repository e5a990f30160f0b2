#include "detect/faceapi_input.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <opencv2/core.hpp>

#include "facekit/error.h"
#include "image/resize_bilinear.h"
#include "image/to_tensor.h"

namespace facekit {

cv::Mat faceapi_pad_to_square(const cv::Mat& image, bool centred) {
  const int diff = std::abs(image.rows - image.cols);
  if (diff == 0) return image;
  // padToSquare: round(diff / 2) after the image when centred, the rest before.
  const int after = centred ? static_cast<int>(std::lround(diff * 0.5)) : diff;
  const int before = diff - after;
  // ISOLATED: a region of a larger image is padded with zeros too, not with
  // the pixels around it.
  const int border = cv::BORDER_CONSTANT | cv::BORDER_ISOLATED;
  cv::Mat square;
  if (image.rows > image.cols)
    cv::copyMakeBorder(image, square, 0, 0, before, after, border, cv::Scalar::all(0));
  else
    cv::copyMakeBorder(image, square, before, after, 0, 0, border, cv::Scalar::all(0));
  return square;
}

nn::Tensor faceapi_input(const cv::Mat& rgb, int size, bool centred) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "face-api input", "expected a non-empty 8-bit RGB image");
  return to_tensor(resize_bilinear_legacy(faceapi_pad_to_square(rgb, centred), size, size), 0.f, 1.f);
}

cv::Size faceapi_scaled_size(cv::Size image, int size) {
  const double scale = static_cast<double>(size) / std::max(image.width, image.height);
  return {static_cast<int>(std::lround(image.width * scale)), static_cast<int>(std::lround(image.height * scale))};
}

}  // namespace facekit
