// `facekit eval --attributes`: the analyzer's age, gender, race and emotion
// against labelled faces (attribute_eval.h).
#pragma once

#include <string>

#include "facekit/engine.h"

namespace facekit::cli {

struct AttributeEvalOptions {
  std::string labels;       // --attributes: the labels CSV
  std::string root;         // --root: where its files are (default: the CSV's folder)
  AnalyzeRequest analysis;  // detector, no_detect (the actions follow the labels)
  bool text = false;        // --text: the readable report on stdout instead of JSON
  std::string json_out;     // --json: the JSON report here too
  std::string reliability_out;  // --reliability: the reliability diagram (PNG)
  std::string analyses;     // --analyses: saved `facekit analyze --json` lines instead of running the heads
  std::string fit_out;      // --fit-combination: fit the heads' combination on these faces, write it here
};

// Analyses every labelled image (or reads the saved analyses) and reports;
// with fit_out, also fits the combination (combination_fit.h) and writes it. Throws Error for a bad labels
// file or output file; a missing, unreadable or faceless image is a miss.
int run_attribute_eval(const AttributeEvalOptions& options, const EngineOptions& engine_options);

}  // namespace facekit::cli
