// `facekit represent IMAGE...`: every face of each image with its embedding,
// one JSON object per image on stdout (JSON Lines).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "recognition_options.h"

namespace facekit::cli {

struct RepresentCommandOptions {
  std::vector<std::string> images;
  RecognitionOptions recognition;
  bool largest = false;  // only the largest face of each image
};

// Adds the `represent` subcommand to `app`, filling `options` when parsed.
CLI::App* add_represent_command(CLI::App& app, RepresentCommandOptions& options);

// Runs it: {image, model, dimension, l2_normalized, detector, faces: [{box,
// score, embedding}]} per image. A bad image prints one line on stderr naming
// it and the others still run; returns 1 if any failed, else 0. Throws Error
// for unknown or missing models.
int run_represent(const RepresentCommandOptions& options);

}  // namespace facekit::cli
