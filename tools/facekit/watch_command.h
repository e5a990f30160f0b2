// `facekit watch SOURCE`: follows the faces of a video file, a camera or a
// stream, identifies them against a gallery and says what happens as JSON
// Lines events (Engine::watch, video.h); optionally writes the video with the
// tracks drawn.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

struct WatchCommandOptions {
  std::string source;  // a file, /dev/videoN, a camera index or a stream URL
  WatchRequest request;
  EngineOptions engine;
  std::string out;     // --out: the annotated video (.avi, or .mp4 where FFmpeg is built in)
};

// Adds the `watch` subcommand to `app`, filling `options` when parsed.
CLI::App* add_watch_command(CLI::App& app, WatchCommandOptions& options);

// Runs it: one JSON object per event on stdout, then a summary object.
// Returns 0. Throws Error for bad options, a source that cannot be opened or
// gives no frame, or a bad frame.
int run_watch(const WatchCommandOptions& options);

}  // namespace facekit::cli
