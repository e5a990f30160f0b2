// The input face-api's 112×112 nets get from a face crop (NetInput.toBatchTensor).
#include "analyze/heads.h"
#include "analyze/resample.h"
#include "detect/faceapi_input.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

cv::Mat faceapi_input(const cv::Mat& crop, int size) {
  return resize_bilinear_legacy(faceapi_pad_to_square(to_float(crop), true), size, size);
}

}  // namespace facekit::analyze
