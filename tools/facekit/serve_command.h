// `facekit serve`: the Engine as an HTTP service (serve.h) until SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

#include "facekit/serve.h"

namespace facekit::cli {

// Adds the `serve` subcommand to `app`, filling `options` when parsed.
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

// Runs it (serve_until_signalled), the keys of $FACEKIT_API_KEYS added to
// --keys'. Throws Error as Server's constructor does.
int run_serve(ServeOptions options);

}  // namespace facekit::cli
