// `facekit detect IMAGE_OR_FOLDER...`: faces in each image, one JSON object
// per image on stdout (JSON Lines), or a human summary with --text; optional
// drawings of the boxes, scores and landmarks.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/detect.h"

namespace facekit::cli {

struct DetectCommandOptions {
  std::vector<std::string> inputs;  // image files and folders
  std::string detector = kDefaultDetector;
  DetectOptions detect{.threads = 0};
  bool text = false;                // human summary instead of JSON Lines
  std::string draw;                 // with one image: write it with the faces drawn here
  std::string draw_dir;             // with several: write each, drawn, into this folder
};

// Adds the `detect` subcommand to `app`, filling `options` when parsed.
CLI::App* add_detect_command(CLI::App& app, DetectCommandOptions& options);

// Runs it. A bad image prints one line on stderr naming the file and the
// reason and the others still run; returns 1 if any image failed, else 0.
// Throws Error for bad options or a detector that cannot be made.
int run_detect(const DetectCommandOptions& options);

}  // namespace facekit::cli
