// human 3.3.6's face crop (align_face with AlignKind::kHuman; the rule is
// documented in facekit/align.h).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace facekit {

// human_cut (image/human_cut.h: the square around `box`, cut to 192 × 192 as
// cutAndResize does), resized to `size` with TF's legacy bilinear rule
// (faceres.ts enhance: resizeBilinear) and rounded to 8 bits. Throws Error (naming `what`) for an empty or non-finite
// box, or a square that holds no pixel of the image.
cv::Mat human_crop(const cv::Mat& rgb, const cv::Rect2f& box, cv::Size size, const std::string& what);

}  // namespace facekit
