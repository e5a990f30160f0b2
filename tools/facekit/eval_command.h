// `facekit eval`: a recognizer and metric on labelled image pairs — ROC, AUC,
// EER, TAR at FAR 1e-2/1e-3/1e-4, best and 10-fold cross-validated accuracy;
// or, with --attributes, the analyzer on labelled faces (attribute_eval.h).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "attribute_eval_command.h"
#include "pair_scoring.h"

namespace facekit::cli {

struct EvalCommandOptions {
  PairSourceOptions source;
  RecognitionOptions recognition;
  EngineOptions engine;   // --threads
  std::string json_out;   // the report (with the full ROC) as JSON here
  std::string roc_out;    // the ROC plot here (PNG)
  AttributeEvalOptions attributes;  // with --attributes: labelled faces instead of pairs
  const CLI::Option* detector = nullptr;  // --detector, to tell whether it was given
  std::optional<double> threshold;  // --threshold: report this operating point
  std::optional<double> far;        // --far: report the calibrated threshold for this FAR
};

// Adds the `eval` subcommand to `app`, filling `options` when parsed.
CLI::App* add_eval_command(CLI::App& app, EvalCommandOptions& options);

// Runs it: the report (without the ROC points) as JSON on stdout. Throws
// Error for bad sources, names or output files.
int run_eval(const EvalCommandOptions& options);

}  // namespace facekit::cli
