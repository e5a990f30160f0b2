// tf.image.cropAndResize as TensorFlow.js' cpu backend computes it, which
// human uses to cut faces out of images (its face-mesh input, several heads'
// inputs): facekit feeds those networks the tensor human would.
#pragma once

#include <opencv2/core.hpp>

namespace facekit {

// An 8-bit or float, 1- or 3-channel image as CV_32FC(channels); float input
// is shared, not copied. Throws Error (naming "face crop") for an empty image
// or another pixel type.
cv::Mat to_float(const cv::Mat& image);

// tf.image.cropAndResize(image, [[y1, x1, y2, x2]], [0], [height, width])
// with normalised box corners: output pixel (r, c) reads the source at
// (y1·(H−1) + r·(y2−y1)·(H−1)/(height−1), likewise for x), bilinear in double
// precision as JavaScript computes; points outside the image read 0. Float
// output (CV_32FC(channels)), in the input's range. Throws as to_float.
cv::Mat crop_and_resize(const cv::Mat& image, float y1, float x1, float y2, float x2, int height, int width);

}  // namespace facekit
