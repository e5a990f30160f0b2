// How the analyzer combines its heads' views of a face into one answer per
// attribute: weights fitted on labelled faces (eval::fit_combination in
// facekit/combination_fit.h), stored in models/analysis_combination.json and
// compiled in, so the library needs no data file at run time.
//
// Classes (gender, race, emotion): a weighted product of the heads'
// distributions,
//   P(k) ∝ exp(bias_k + Σ_h weight_h · log max(p_h(k), kProbabilityFloor)),
// so a head's weight is also its inverse temperature; a head of weight 0 (or
// absent from `weights`) does not vote. Gender's classes are [male, female]
// (a head's P(male) is [p, 1 − p]); a head's race class missing from the
// combination's classes is ignored, one of the combination's missing from a
// head's counts as the floor.
// Age: years = intercept + Σ_h weight_h · years_h; the uncertainty is the σ of
// the band of that estimate: the 68.27 % quantile of |estimate − truth| of
// the fitting faces in that band (held out by cross-validation), so that the
// truth lies within ± σ at the rate a Gaussian's one σ states.
// A face on which a weighted head gave nothing is combined from the others
// (age: their weights scaled up to the same sum).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "facekit/analyze.h"

namespace facekit {

// Probabilities are floored before their log, so that one head's certainty
// cannot veto the others (and four decimals of a cached view suffice).
inline constexpr float kProbabilityFloor = 1e-4f;

struct ClassPooling {
  std::vector<std::string> classes;      // the combination's class names, in its order
  std::map<std::string, double> weights;  // head id → weight ≥ 0
  std::vector<double> bias;              // per class
};

struct AgeBand {
  double up_to = 0;  // estimates below this (and at or above the band before) are in it
  double sigma = 0;  // years
};

struct AgePooling {
  double intercept = 0;
  std::map<std::string, double> weights;  // head id → weight ≥ 0
  std::vector<AgeBand> bands;             // rising up_to; an estimate beyond the last takes its σ
};

struct AnalysisCombination {
  AgePooling age;
  ClassPooling gender, race, emotion;
  std::string recipe;     // the command that reproduces the fit
  std::string fitted_on;  // the labelled faces it was fitted on
};

// Parses the JSON form (as combination_json writes it). Throws Error naming
// `source` for malformed JSON, a missing field, a negative or non-finite
// weight, a bias count other than the class count, gender classes other than
// [male, female], emotion classes other than kEmotionNames, or no age bands
// or bands not rising.
AnalysisCombination parse_combination(const std::string& json_text, const std::string& source);

// The JSON form, indented.
std::string combination_json(const AnalysisCombination& combination);

// The combination compiled in (models/analysis_combination.json).
const AnalysisCombination& default_combination();

// The combined distribution over pooling.classes of the heads' views of one
// face (views: head id → its distribution over pooling.classes); empty when
// no weighted head gave a view and the bias alone is all there is.
std::vector<double> pool_classes(const ClassPooling& pooling, const std::map<std::string, std::vector<double>>& views);

// The combined age of the heads' years (head id → years); nullopt when no
// weighted head gave one.
std::optional<AgeEstimate> pool_age(const AgePooling& pooling, const std::map<std::string, double>& years);

}  // namespace facekit
