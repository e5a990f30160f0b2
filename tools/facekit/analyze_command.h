// `facekit analyze IMAGE_OR_FOLDER...`: detects the faces of each image and
// estimates their age, gender, emotion, race and liveness; one JSON object
// per image on stdout (JSON Lines), or a human summary with --text; optional
// drawing of the results.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

struct AnalyzeCommandOptions {
  std::vector<std::string> inputs;  // image files and folders
  AnalyzeRequest request;
  EngineOptions engine;
  bool text = false;                // human summary instead of JSON Lines
  std::string draw;                 // with one image: write it with the results drawn here
};

// Adds the `analyze` subcommand to `app`, filling `options` when parsed.
CLI::App* add_analyze_command(CLI::App& app, AnalyzeCommandOptions& options);

// Runs it. A bad image prints one line on stderr naming the file and the
// reason and the others still run; returns 1 if any image failed, else 0.
// Throws Error for bad options or a model that cannot be loaded.
int run_analyze(const AnalyzeCommandOptions& options);

}  // namespace facekit::cli
