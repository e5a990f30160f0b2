// face-api's own crops, shared by the 68-point landmarker and the descriptor
// crop (align_face with AlignKind::kFaceapi).
#pragma once

#include <opencv2/core.hpp>

#include "facekit/align.h"

namespace facekit {

// face-api's Box.clipAtImageBorders: corner clamped at 0, far sides at the
// image's, every coordinate floored. Empty when no whole pixel of the box is
// in the image (or it is not finite).
cv::Rect faceapi_clip_box(const cv::Rect2f& box, cv::Size image);

// face-api's descriptor crop of `face` (align.h, AlignKind::kFaceapi), at
// `size`; `what` names the caller in errors.
cv::Mat faceapi_descriptor_crop(const cv::Mat& rgb, const Face& face, cv::Size size, const std::string& what);

}  // namespace facekit
