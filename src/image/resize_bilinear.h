// TensorFlow's original bilinear resize (tf.image.resizeBilinear with
// alignCorners = false and halfPixelCenters = false), which face-api and
// human use to bring images to their networks' input sizes. OpenCV's
// INTER_LINEAR samples at half-pixel centres instead (and rounds 8-bit
// output), so it cannot reproduce those inputs; this one does, value for value.
#pragma once

#include <opencv2/core.hpp>

namespace facekit {

// CV_32FC(C), out_h × out_w, from an 8-bit or float image with C = 1 or 3
// channels: output pixel (r, c) reads the source at (r · H / out_h,
// c · W / out_w), interpolating between the floor and ceil (clamped)
// neighbours in double precision, as JavaScript computes. Equal sizes copy
// the pixels. Throws Error for an empty image, another pixel type or a
// non-positive output size.
cv::Mat resize_bilinear_legacy(const cv::Mat& image, int out_h, int out_w);

}  // namespace facekit
