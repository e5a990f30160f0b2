// Combining the heads' views of one face into its analysis: means, spreads,
// agreement between heads that estimate the same attribute, and confidence.
#pragma once

#include <vector>

#include "facekit/analysis_combination.h"
#include "facekit/analyze.h"

namespace facekit::analyze {

// What besides the heads' outputs the confidence depends on.
struct FaceConditions {
  float quality = 1;         // Face::quality.overall
  float fraction_inside = 1;  // of the crop, in [0, 1]
  bool grayscale = false;
};

// Fills every field of `analysis` but `refused` and `heads` from
// `analysis.heads`, for the requested actions only: age, gender, race and
// emotion as `combination` pools them (analysis_combination.h), spoof the
// mean of the P(live) views; agreement and confidence as analyze.h states.
void combine(const std::vector<Action>& actions, const FaceConditions& conditions, FaceAnalysis& analysis,
             const AnalysisCombination& combination = default_combination());

}  // namespace facekit::analyze
