// `facekit calibrate`: fits a (model, metric)'s thresholds and its distance →
// probability mapping on labelled pairs and stores them in the user's
// calibration file ($FACEKIT_MODELS/calibration/<model id>.json), which
// overrides the model card's. With a fused model (`--model a+b`), fits the
// fusion's combiner instead (fusion.h) and stores its card in
// $FACEKIT_MODELS/fusion/<a+b>.json.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "pair_scoring.h"

namespace facekit::cli {

struct CalibrateCommandOptions {
  PairSourceOptions source;
  RecognitionOptions recognition;
  EngineOptions engine;   // --threads
  std::string dataset;   // what the pairs are, stored with the thresholds (default: the source)
};

// Adds the `calibrate` subcommand to `app`, filling `options` when parsed.
CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommandOptions& options);

// Runs it: prints the stored calibration (and where) as JSON. Throws Error
// for bad sources or names, or when the file cannot be written.
int run_calibrate(const CalibrateCommandOptions& options);

}  // namespace facekit::cli
