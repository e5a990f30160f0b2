// How the video Tracker (video.h) associates faces and decides identities:
// apart from video.h so that engine.h (WatchRequest) needs only this.
#pragma once

#include "facekit/match.h"

namespace facekit {

struct TrackerOptions {
  Metric metric = Metric::kCosine;  // of the embeddings
  double gate = 0;                  // embedding distance of "the same person" (> 0; the recognizer's threshold)
  double min_iou = 0.2;             // overlap that alone allows a pair; in [0, 1]
  int max_age = 15;                 // frames a track survives unmatched; in [0, 100000]
  double decide_confidence = 0.5;   // confidence at which a track takes its leading identity; in [0, 1)
};

// Throws Error naming the field and its range for a value outside it (NaN included).
void check_tracker_options(const TrackerOptions& options);

}  // namespace facekit
