// The image operations the heads' runtimes apply to a face crop (besides
// resize_bilinear_legacy and crop_and_resize in image/ and faceapi_pad_to_square in detect/), computed as
// TensorFlow.js' cpu backend computes them so that facekit feeds each model
// the tensor its own runtime would. Images are float RGB (CV_32FC3, 0..255).
#pragma once

#include <opencv2/core.hpp>

#include "image/crop_and_resize.h"  // to_float, crop_and_resize

namespace facekit::analyze {

// Grey as human computes it for its grey models: 0.2989 R + 0.5870 G + 0.1140 B
// (float, CV_32FC1).
cv::Mat to_grey(const cv::Mat& rgb);

}  // namespace facekit::analyze
