// Fitting the analyzer's combination of heads (analysis_combination.h) on
// labelled faces: `facekit eval --attributes LABELS --fit-combination OUT`.
//
// Per class attribute (gender, race, emotion) the weights and per-class biases
// minimise the mean negative log-likelihood of the true class under the
// weighted product of the heads' distributions (weights kept ≥ 0; Adam,
// deterministic). Age: intercept and weights ≥ 0 minimise the mean absolute
// error (iteratively reweighted least squares). A head joins an attribute's
// combination only when it helps: starting from all heads, the head whose
// removal lowers the cross-validated loss most is removed, while one does
// (kFolds folds, face i in fold i mod kFolds: no randomness). The age bands'
// σ are the 68.27 % quantiles of the cross-validated |estimate − truth| per
// band of the estimate.
//
// Only the heads' own estimates (FaceOutcome::sources other than
// kCombinedSource) are used, and only faces on which every head of the
// attribute gave one; an attribute with fewer than kMinFitFaces such faces
// keeps `start`'s pooling.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "facekit/analysis_combination.h"
#include "facekit/attribute_eval.h"

namespace facekit::eval {

inline constexpr int kFolds = 5;
inline constexpr size_t kMinFitFaces = 50;

// The age bands' upper edges, years of the estimate (the last band is open).
inline constexpr std::array<double, 7> kAgeBandEdges = {6, 13, 20, 30, 45, 60, 1000};

struct CombinationFit {
  AnalysisCombination combination;
  // Per attribute fitted: its faces, the cross-validated loss of the chosen
  // heads (NLL, or MAE in years for age) and the heads left out.
  struct Attribute {
    std::string name;
    size_t faces = 0;
    double cv_loss = 0;
    std::vector<std::string> dropped;
  };
  std::vector<Attribute> attributes;
};

// Fits every attribute labelled in `faces` (parallel to `outcomes`, as
// analyze_labelled_faces gives them); the others keep `start`'s pooling.
// Throws Error when the lists differ in length.
CombinationFit fit_combination(const std::vector<LabelledFace>& faces, const std::vector<FaceOutcome>& outcomes,
                               const AnalysisCombination& start = default_combination());

}  // namespace facekit::eval
