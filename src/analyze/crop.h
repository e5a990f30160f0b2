// Cutting a detected face out of the image the way each runtime does.
#pragma once

#include <opencv2/core.hpp>

namespace facekit::analyze {

enum class CropStyle {
  kFaceApi,  // the box clipped to the image, whole pixels (the head pads it to a square)
  kHuman,    // a square of kHumanEnlargement × the box's longer side, resampled to kHumanCropSize
};

inline constexpr float kHumanEnlargement = 1.4f;  // human's face.detector.scale for BlazeFace boxes
inline constexpr int kHumanCropSize = 192;        // the face-mesh input human crops faces to

// The crop of `box` from an 8-bit RGB image in the given style, float RGB
// 0..255 (CV_32FC3). Pixels of a kHuman square outside the image are black.
// Returns an empty Mat when less than 2×2 pixels of the box lie inside.
cv::Mat crop_face(const cv::Mat& rgb, const cv::Rect2f& box, CropStyle style);

// The part of the kHuman square around `box` that lies inside the image, in [0, 1].
float fraction_inside(const cv::Mat& rgb, const cv::Rect2f& box);

}  // namespace facekit::analyze
