// How @vladmandic/human 3.3.6 cuts a face out of an image for its face mesh
// and its recognizers (facemesh.ts, facemeshutil.ts): the square around the
// detector's box, cut to the face-mesh input. Shared by the `human-blazeface`
// detector (which runs the mesh on it) and the `human` crop (align.h).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace facekit {

// The face-mesh input human cuts faces to (facemesh.ts inputSize).
inline constexpr int kHumanCutSize = 192;

// The square human cuts out around a detector box: enlargeBox(box, 1.4)
// (face.detector.scale) about its centre, then squarifyBox: the longer side,
// corners rounded as JavaScript's Math.round does (halves up). In double, as
// JavaScript computes.
cv::Rect2f human_square(const cv::Rect2f& box);

// That square cut out of an 8-bit RGB image as cutAndResize does:
// tf.image.cropAndResize with the corners normalised by the image size, to
// kHumanCutSize², bilinear, black where it reads outside the image. Float RGB
// 0..255 (CV_32FC3; human divides by 255 afterwards). Throws Error (naming
// `what`) for an empty or non-finite box, or a square that holds no pixel of
// the image.
cv::Mat human_cut(const cv::Mat& rgb, const cv::Rect2f& box, const std::string& what);

}  // namespace facekit
