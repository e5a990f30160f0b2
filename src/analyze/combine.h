// Combining the heads' views of one face into its analysis: means, spreads,
// agreement between heads that estimate the same attribute, and confidence.
#pragma once

#include <vector>

#include "facekit/analyze.h"

namespace facekit::analyze {

// What besides the heads' outputs the confidence depends on.
struct FaceConditions {
  float quality = 1;         // Face::quality.overall
  float fraction_inside = 1;  // of the crop, in [0, 1]
  bool grayscale = false;
};

// Fills every field of `analysis` but `refused` and `heads` from
// `analysis.heads`, for the requested actions only.
void combine(const std::vector<Action>& actions, const FaceConditions& conditions, FaceAnalysis& analysis);

}  // namespace facekit::analyze
