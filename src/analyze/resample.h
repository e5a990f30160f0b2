// The image operations the heads' runtimes apply to a face crop (besides
// resize_bilinear_legacy in image/ and faceapi_pad_to_square in detect/), computed as
// TensorFlow.js' cpu backend computes them so that facekit feeds each model
// the tensor its own runtime would. Images are float RGB (CV_32FC3, 0..255).
#pragma once

#include <opencv2/core.hpp>

namespace facekit::analyze {

// An 8-bit or float, 1- or 3-channel image as CV_32FC(channels); float input is shared, not copied.
cv::Mat to_float(const cv::Mat& image);

// tf.image.cropAndResize(image, [[y1, x1, y2, x2]], [0], [height, width])
// with normalised box corners: output pixel (r, c) reads the source at
// (y1·(H−1) + r·(y2−y1)·(H−1)/(height−1), likewise for x), bilinear; points
// outside the image read 0.
cv::Mat crop_and_resize(const cv::Mat& image, float y1, float x1, float y2, float x2, int height, int width);

// Grey as human computes it for its grey models: 0.2989 R + 0.5870 G + 0.1140 B
// (float, CV_32FC1).
cv::Mat to_grey(const cv::Mat& rgb);

}  // namespace facekit::analyze
