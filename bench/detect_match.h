// Scoring a detector against labelled faces: one-to-one greedy matching by
// IoU, and the precision and recall it gives. Header-only: shared by
// bench/detect_eval.cc and its unit test.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "facekit/detect.h"

namespace facekit::eval {

struct Match {
  // For each labelled face, the index of the detection matched to it, or -1.
  std::vector<int> detection_of_face;
  // For each detection, the index of the labelled face it matched, or -1.
  std::vector<int> face_of_detection;
  // IoU of each matched pair, in face order (-1 for a missed face).
  std::vector<float> iou_of_face;
};

// Detections, best score first, each take the still-unmatched labelled face
// they overlap most, provided that IoU is at least `min_iou` (PASCAL VOC's
// rule). A face is matched at most once: a second detection on it is a
// false positive.
inline Match match_detections(const std::vector<cv::Rect2f>& faces, const std::vector<Face>& detections,
                              float min_iou) {
  Match m{std::vector<int>(faces.size(), -1), std::vector<int>(detections.size(), -1),
          std::vector<float>(faces.size(), -1)};
  std::vector<int> order(detections.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return detections[a].score > detections[b].score; });
  for (int d : order) {
    int best = -1;
    float best_iou = min_iou;
    for (size_t f = 0; f < faces.size(); ++f) {
      if (m.detection_of_face[f] >= 0) continue;
      const float overlap = iou(faces[f], detections[d].box);
      if (overlap >= best_iou) best = static_cast<int>(f), best_iou = overlap;
    }
    if (best < 0) continue;
    m.detection_of_face[best] = d;
    m.face_of_detection[d] = best;
    m.iou_of_face[best] = best_iou;
  }
  return m;
}

// Counts summed over images.
struct Tally {
  int found = 0;            // labelled faces matched (true positives)
  int missed = 0;           // labelled faces not matched (false negatives)
  int false_positives = 0;  // detections matching no labelled face

  void add(const Match& m) {
    for (int d : m.detection_of_face) (d >= 0 ? found : missed) += 1;
    for (int f : m.face_of_detection) false_positives += f < 0;
  }
  // found / detections; NaN when there were no detections.
  double precision() const { return ratio(found, found + false_positives); }
  // found / labelled faces; NaN when there were no faces.
  double recall() const { return ratio(found, found + missed); }

 private:
  static double ratio(int a, int b) { return b > 0 ? double(a) / b : std::numeric_limits<double>::quiet_NaN(); }
};

}  // namespace facekit::eval
