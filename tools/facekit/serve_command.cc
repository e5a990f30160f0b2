#include "serve_command.h"

#include <cstdlib>
#include <iostream>

namespace facekit::cli {

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
  auto* cmd = app.add_subcommand("serve", "an HTTP service with deepface's and CompreFace's routes (GET /openapi.json lists them)");
  cmd->add_option("--port", o.port, "TCP port (0: any free one, printed on start)")->capture_default_str();
  cmd->add_option("--host", o.host, "address to listen on (without keys: loopback only)")->capture_default_str();
  cmd->add_option("--db", o.galleries,
                  "a gallery: a SQLite file (created when absent) or postgresql:// URI, or NAME=LOCATION; repeatable");
  cmd->add_option("--replica", o.replicas,
                  "[NAME=]URI: a streaming replica (postgresql://) of PostgreSQL gallery NAME (the first by default) "
                  "that searches read; writes go to --db; repeatable");
  cmd->add_option("--keys", o.keys_file, "API keys, a line each: KEY [read-only] [gallery=NAME] (also $FACEKIT_API_KEYS)");
  cmd->add_option("--workers", o.workers, "requests computing at once (0: the cores)")->capture_default_str();
  cmd->add_option("--threads", o.threads, "threads of each model call (0: the cores shared among the workers)")
      ->capture_default_str();
  cmd->add_option("--max-body", o.max_body, "largest request body, bytes")->capture_default_str();
  cmd->add_option("--max-in-flight", o.max_in_flight, "requests admitted at once; beyond: 503 + Retry-After")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s, "seconds a connection may stall or a request wait for a worker")
      ->capture_default_str();
  cmd->add_option("--image-root", o.image_root,
                  "a folder whose files requests may name as images (default: uploads only)");
  cmd->add_option("--clip-max-frames", o.clip_limits.max_frames, "most frames of a clip posted to /api/v1/video/watch")
      ->capture_default_str();
  cmd->add_option("--clip-max-seconds", o.clip_limits.max_seconds, "most seconds of video in such a clip")
      ->capture_default_str();
  cmd->add_option("--clip-max-pixels", o.clip_limits.max_pixels, "most pixels (width × height) of its frames")
      ->capture_default_str();
  return cmd;
}

int run_serve(ServeOptions options) {
  if (const char* keys = std::getenv("FACEKIT_API_KEYS")) options.keys_text = keys;
  return serve_until_signalled(options, std::cerr);
}

}  // namespace facekit::cli
