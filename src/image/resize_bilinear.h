// TensorFlow's original bilinear resize (tf.image.resizeBilinear with
// alignCorners = false and halfPixelCenters = false), which face-api uses to
// bring every image to its network's input size. OpenCV's INTER_LINEAR
// samples at half-pixel centres instead (and rounds to 8 bits), so it cannot
// reproduce face-api's inputs; this one does, value for value.
#pragma once

#include <opencv2/core.hpp>

#include "facekit/nn/tensor.h"

namespace facekit {

// [1, out_h, out_w, C] float32 from an 8-bit image (CV_8UC1 or CV_8UC3):
// output pixel (r, c) reads the source at (r · H / out_h, c · W / out_w),
// interpolating between the floor and ceil (clamped) neighbours in double
// precision. Equal sizes copy the pixels. Throws Error for an empty image,
// another pixel type or a non-positive output size.
nn::Tensor resize_bilinear_legacy(const cv::Mat& image, int out_h, int out_w);

}  // namespace facekit
