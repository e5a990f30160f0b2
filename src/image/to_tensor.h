// From pixels to network inputs: NHWC float32 tensors, normalised per model
// card as (pixel − mean) / std.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "facekit/nn/tensor.h"

namespace facekit {

// [1, H, W, C] from one 8-bit image (CV_8UC1 or CV_8UC3; channel order kept).
nn::Tensor to_tensor(const cv::Mat& image, float mean, float std);
// [N, H, W, C] from N images of one size and type; throws Error otherwise.
nn::Tensor to_tensor(const std::vector<cv::Mat>& images, float mean, float std);

}  // namespace facekit
