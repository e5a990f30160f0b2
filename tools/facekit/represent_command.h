// `facekit represent IMAGE...`: every face of each image with its embedding,
// one JSON object per image on stdout (JSON Lines).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

struct RepresentCommandOptions {
  std::vector<std::string> images;
  RepresentRequest request;
  EngineOptions engine;
};

// Adds the `represent` subcommand to `app`, filling `options` when parsed.
CLI::App* add_represent_command(CLI::App& app, RepresentCommandOptions& options);

// Runs it: json.h's form of each image's RepresentResult. A bad image prints
// one line on stderr naming it and the others still run; returns 1 if any
// failed, else 0. Throws Error for unknown or missing models.
int run_represent(const RepresentCommandOptions& options);

}  // namespace facekit::cli
