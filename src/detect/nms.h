// Non-maximum suppression over scored boxes, shared by every detector.
#pragma once

#include <vector>

#include "facekit/detect.h"

namespace facekit {

enum class Overlap {
  kUnion,  // intersection / union (IoU)
  kMin,    // intersection / the smaller area (MTCNN's last stage)
};

float overlap(const cv::Rect2f& a, const cv::Rect2f& b, Overlap kind);

// Indices of the kept faces, best score first: greedily keeps the best face
// and drops every other one overlapping it by more than `threshold`.
std::vector<int> nms(const std::vector<Face>& faces, float threshold, Overlap kind = Overlap::kUnion);

// Weighted NMS (BlazeFace): each kept face becomes the score-weighted mean of
// the boxes and landmarks of the cluster overlapping it by more than
// `threshold`; its score stays the best one's.
std::vector<Face> weighted_nms(const std::vector<Face>& faces, float threshold);

}  // namespace facekit
