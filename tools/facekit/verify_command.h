// `facekit verify A B`: are the faces of two images the same person? Prints
// json.h's form of the VerifyResult (or a sentence with --text).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

struct VerifyCommandOptions {
  std::string a, b;  // image files
  VerifyRequest request;
  EngineOptions engine;
  bool text = false;
};

// Adds the `verify` subcommand to `app`, filling `options` when parsed.
CLI::App* add_verify_command(CLI::App& app, VerifyCommandOptions& options);

// Runs it (Engine::verify). Throws Error naming the image that cannot be read
// or has no face, for unknown names, or when the (model, metric) has no
// threshold and none was given.
int run_verify(const VerifyCommandOptions& options);

}  // namespace facekit::cli
