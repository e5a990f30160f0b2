// The input face-api's 112×112 nets get from a face crop (NetInput.toBatchTensor).
#include "analyze/heads.h"
#include "analyze/resample.h"

namespace facekit::analyze {

cv::Mat faceapi_input(const cv::Mat& crop, int size) {
  const cv::Mat square = pad_to_square(to_float(crop));
  return square.rows == size ? square.clone() : resize_bilinear(square, size, size);
}

}  // namespace facekit::analyze
