// `facekit verify A B`: are the faces of two images the same person? Prints
// {verified, distance, threshold, metric, model, detector, confidence, faces}
// as JSON (or a sentence with --text).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "recognition_options.h"

namespace facekit::cli {

struct VerifyCommandOptions {
  std::string a, b;                  // image files
  RecognitionOptions recognition;
  std::optional<double> threshold;   // overrides the calibrated one
  bool all_pairs = false;            // every face of A against every face of B
  bool text = false;
};

// Adds the `verify` subcommand to `app`, filling `options` when parsed.
CLI::App* add_verify_command(CLI::App& app, VerifyCommandOptions& options);

// Runs it on the largest face of each image (with --all-pairs: every pair,
// the closest reported at the top level and all under "pairs"). Throws Error
// naming the image that has no face, for unknown names, or when the
// (model, metric) has no threshold and none was given.
int run_verify(const VerifyCommandOptions& options);

}  // namespace facekit::cli
