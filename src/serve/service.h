// What every route handler shares: the options, the Engine, the galleries,
// the metrics; and the route table the server registers and /openapi.json
// describes.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "facekit/engine.h"
#include "facekit/json.h"
#include "facekit/serve.h"
#include "serve/api_keys.h"
#include "serve/gallery_service.h"
#include "serve/metrics.h"
#include "serve/request_fields.h"

namespace facekit::serve {

struct Service {
  ServeOptions options;  // as checked, workers and threads resolved
  Engine engine;
  std::vector<std::unique_ptr<GalleryService>> galleries;
  Metrics metrics;
  std::atomic<int> in_flight{0};  // requests admitted and not yet answered

  Service(const ServeOptions& checked, const EngineOptions& engine_options) : options(checked), engine(engine_options) {}

  // The gallery a request names (`gallery` field or parameter; the first
  // one by default). HttpError 404 when there is none or no such one, 403
  // when `key` is limited to another.
  GalleryService& gallery(const RequestFields& fields, const ApiKey* key);
};

// What a route's handler is given.
struct Exchange {
  const httplib::Request& request;
  httplib::Response& response;
  const ApiKey* key;  // nullptr when no keys are configured
};

enum class Access {
  kOpen,   // no key needed (GET /health)
  kRead,   // any key
  kWrite,  // a key that is not read-only
};

struct Param {
  std::string name;
  std::string in;    // "query", "path" or "body"
  std::string type;  // "string", "boolean", "number", "integer", "image", "array"
  std::string description;
};

struct Route {
  std::string method;   // GET, POST, PUT, DELETE
  std::string path;     // OpenAPI form: /api/v1/recognition/subjects/{subject}
  std::string summary;
  Access access = Access::kRead;
  bool computes = false;  // runs models: waits for one of the workers
  std::vector<Param> params;
  std::function<void(Service&, Exchange&)> handler;
  // A request that prefers text/html (prefers_html) needs no key: the
  // handler answers it with the web gallery (GET / only).
  bool page_for_browsers = false;
};

std::vector<Route> deepface_routes();
std::vector<Route> compreface_routes();
// POST /api/v1/video/watch: Engine::watch on an uploaded clip.
std::vector<Route> video_routes();
// GET /web/{file}: the web gallery's files (web_files.h).
std::vector<Route> web_routes();
// GET /health, /, /metrics; /openapi.json describes `all` (itself included).
std::vector<Route> service_routes(const std::vector<Route>& all);

// The OpenAPI 3 document of `routes`.
Json openapi_document(const std::vector<Route>& routes);

// True when the request's Accept header names text/html before
// application/json (a browser's does; curl's */* and API clients' do not).
bool prefers_html(const httplib::Request& request);
// Answers the web gallery's file `name` (web_files.h) with its content type
// and headers that keep the page to this server's own files (CSP). HttpError
// 404 for no such file.
void answer_web_file(httplib::Response& response, std::string_view name);

// Answers `json` with `status`.
void reply(httplib::Response& response, const Json& json, int status = 200);

// The path parameter `index` (1-based) of a matched route.
std::string path_param(const httplib::Request& request, size_t index);

// A RecognitionRequest from deepface's and CompreFace's fields: model_name,
// detector_backend ("skip": no detection), distance_metric,
// enforce_detection (false: the whole image stands in for a missing face),
// align (must be true: facekit always aligns).
RecognitionRequest recognition_request(const RequestFields& fields);


}  // namespace facekit::serve
