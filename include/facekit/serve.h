// facekit::serve — the Engine (engine.h) as an HTTP service that deepface and
// CompreFace clients can talk to: deepface's routes (POST /represent,
// /verify, /analyze, /register, /search, /detect), CompreFace's under
// /api/v1 (recognition subjects, faces, recognize; verification; detection),
// and GET /health, / (version, loaded models), /openapi.json (every route)
// and /metrics (Prometheus text). /openapi.json and the README's "As a
// service" describe each route's fields and answers. A browser asking for
// GET / (Accept: text/html first) gets the web gallery instead (web/, built
// into the library; its other files under GET /web/), which calls these
// routes with the key its user types.
//
// Every answer but the gallery's files is JSON; every error is {"error",
// "message", "code"} with the HTTP status (code 28 when no face was found, as
// CompreFace; else the status), never a stack trace. Results carry the Engine's own JSON
// (json.h) under "facekit", so the CLI, the service and other front-ends
// give the same shapes.
//
// Access: API keys (ApiKey lines, below) sent as `Authorization: Bearer KEY`
// or `x-api-key: KEY`, compared in constant time; a key may be read-only or
// limited to one gallery. With no key configured the server refuses to
// listen on anything but loopback. GET /health and the web gallery's static
// files never need a key.
//
// Limits: a request body cap (413), a cap on requests in flight (503 with
// Retry-After), at most `workers` requests computing at once (the others
// wait up to the timeout for a turn, then 503), a read/write timeout per
// connection (slow clients), the image decoder's pixel limit, and a clip's
// frame, duration and pixel limits (ClipLimits).
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "facekit/video_clip.h"

namespace facekit {

struct ServeOptions {
  std::string host = "127.0.0.1";  // --host
  int port = 5005;                 // --port: 0 = any free port (Server::port() says which)
  // --db, repeatable: a gallery as LOCATION (a SQLite file, created when
  // absent, or a postgresql:// URI), or NAME=LOCATION. Requests choose one
  // by the `gallery` field or query parameter, the first by default; the
  // first one's name is "default" unless given.
  std::vector<std::string> galleries;
  // --replica, repeatable: [NAME=]URI, a streaming replica (postgresql://)
  // of the PostgreSQL gallery NAME (the first by default). Searches read it
  // once it has replayed every write this process knows of (its own and,
  // through the gallery's change feed, other processes'); writes go to the
  // gallery's own URI.
  std::vector<std::string> replicas;
  std::string keys_file;       // --keys: a file of key lines (parse_api_keys)
  std::string keys_text;       // key lines from elsewhere (the CLI: $FACEKIT_API_KEYS, ';' or newline separated)
  int workers = 0;             // --workers: requests computing at once; 0 = the cores
  int threads = 0;             // --threads: threads of each model call; 0 = cores / workers (at least 1)
  size_t max_body = 10 << 20;  // --max-body: bytes of a request body (≥ 1 KiB)
  int max_in_flight = 64;      // --max-in-flight: requests admitted at once (≥ 1)
  int timeout_s = 30;          // --timeout: seconds a connection may stall, or a request wait for a worker (≥ 1)
  // --image-root: a folder whose files requests may name as images (by a
  // path relative to it; nothing outside it). Empty: images only as uploads
  // (multipart files, base64, data URIs); URLs are never fetched.
  std::string image_root;
  // --clip-max-frames, --clip-max-seconds, --clip-max-pixels: what one clip
  // posted to /api/v1/video/watch may hold (video_clip.h).
  ClipLimits clip_limits;
};

// Throws Error naming the option for every value out of its range: the port
// (0..65535), workers and threads (≥ 0, at most max_threads()), max_body,
// max_in_flight, timeout_s, the clip limits, an empty --db entry or name, two galleries of one
// name, a --replica of no gallery, of a gallery not on PostgreSQL, not a
// postgresql:// URI or a second one of a gallery, an image root that is not
// a folder.
void check_serve_options(const ServeOptions& options);

struct ServerImpl;

class Server {
 public:
  // Checks the options, reads the keys, opens every gallery (creating a
  // SQLite file when absent; on PostgreSQL, installing its change feed and
  // following it, so that other processes' writes are searched within a
  // second) and binds the socket; loads no model yet.
  // `log` gets one line on start (where it listens, the keys or the lack of
  // them) and on stop. Throws Error for a bad option or key file, a gallery
  // that cannot be opened, no key with a non-loopback host, or a port that
  // cannot be bound.
  Server(const ServeOptions& options, std::ostream& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port bound (the chosen one with port 0).
  int port() const;
  // Serves until stop(); returns once every request in flight is answered.
  void run();
  // Stops accepting; requests in flight are finished. Any thread; safe to
  // call more than once, also before run().
  void stop();

 private:
  std::unique_ptr<ServerImpl> impl_;
};

// Runs a Server until SIGTERM or SIGINT, then drains the requests in flight
// and closes the galleries (each write is a committed transaction). Blocks
// those signals in the calling thread (and so in the threads it starts).
// Returns 0. Throws as Server's constructor does.
int serve_until_signalled(const ServeOptions& options, std::ostream& log);

}  // namespace facekit
