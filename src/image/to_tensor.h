// From pixels to network inputs: NHWC float32 tensors, normalised per model
// card as (pixel − mean) / std.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "facekit/nn/tensor.h"

namespace facekit {

// [1, H, W, C] from one 8-bit or float image (1 or 3 channels; channel order kept).
nn::Tensor to_tensor(const cv::Mat& image, float mean, float std);
// [N, H, W, C] from N images of one size and type; throws Error otherwise.
nn::Tensor to_tensor(const std::vector<cv::Mat>& images, float mean, float std);

}  // namespace facekit
