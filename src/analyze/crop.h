// Cutting a detected face out of the image the way each runtime does.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace facekit::analyze {

enum class CropStyle {
  kFaceApi,  // the box clipped to the image, whole pixels (the head pads it to a square)
  kHuman,    // a square of kHumanEnlargement × the box's longer side, resampled to kHumanCropSize
  kOwn,      // the head cuts its own crops from the image (Head::own_crops)
};

inline constexpr float kHumanEnlargement = 1.4f;  // human's face.detector.scale for BlazeFace boxes
inline constexpr int kHumanCropSize = 192;        // the face-mesh input human crops faces to

// The crop of `box` from an 8-bit RGB image in the given style, float RGB
// 0..255 (CV_32FC3). Pixels of a kHuman square outside the image are black.
// Returns an empty Mat when less than 2×2 pixels of the box lie inside.
cv::Mat crop_face(const cv::Mat& rgb, const cv::Rect2f& box, CropStyle style);

// face-api's `alignedRect`, where its chain with .withFaceLandmarks() cuts
// faces for the age/gender and expression nets: the bounding box of the 68
// landmarks grown by 20 % of its width and height, centred
// (FaceLandmarks.alignMinBbox). face-api places its landmarks at the
// detection box's own corner, facekit's landmarker (src/align/landmarker.cc)
// at the clipped, floored corner of the crop it ran on; the points are moved
// by that difference first, so that the box is face-api's to the pixel.
// Empty for another number of points.
cv::Rect2f faceapi_aligned_box(const std::vector<cv::Point2f>& landmarks68, const cv::Rect2f& detection);

// The part of the kHuman square around `box` that lies inside the image, in [0, 1].
float fraction_inside(const cv::Mat& rgb, const cv::Rect2f& box);

}  // namespace facekit::analyze
