// face-api's image → network input step (NetInput.toBatchTensor), shared by
// its detectors and landmark nets so that facekit feeds them exactly the
// tensors face-api does.
#pragma once

#include <opencv2/core.hpp>

#include "facekit/nn/tensor.h"

namespace facekit {

// face-api's padToSquare: the image (8-bit or float) padded with zeros to a
// square — at the bottom or right (`centred` false, the detectors), or split
// around it with the larger half (rounded) after it (`centred` true, the
// landmark and attribute nets). Padding never reads pixels around a region of
// a larger image.
cv::Mat faceapi_pad_to_square(const cv::Mat& image, bool centred);

// [1, size, size, 3] float32, 0..255: the 8-bit RGB image padded with zeros
// to a square — at the bottom or right (`centred` false, the detectors), or
// split around it with the larger half (rounded) after it (`centred` true,
// the landmark nets) — then resized with TF's legacy bilinear rule
// (resize_bilinear_legacy). Throws Error for an empty or non-RGB image.
nn::Tensor faceapi_input(const cv::Mat& rgb, int size, bool centred);

// The image's size once scaled so its longer side is `size`, each side
// rounded (face-api's computeReshapedDimensions): the part of the input the
// image covers, from which detections are mapped back.
cv::Size faceapi_scaled_size(cv::Size image, int size);

}  // namespace facekit
