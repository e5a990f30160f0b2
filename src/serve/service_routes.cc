// The service's own routes: health, what it runs, its API, its metrics.
#include <sstream>

#include "facekit/doctor.h"
#include "serve/service.h"

namespace facekit::serve {

namespace {

void health(Service&, Exchange& x) { reply(x.response, {{"status", "ok"}}); }

void home(Service& service, Exchange& x) {
  if (prefers_html(x.request)) return answer_web_file(x.response, "index.html");
  Json galleries = Json::array();
  for (const auto& g : service.galleries) {
    Json gallery = {{"name", g->name()}};
    put_name(gallery, "location", g->location());
    galleries.push_back(std::move(gallery));
  }
  reply(x.response, {{"service", "facekit"},
                     {"version", version()},
                     {"models_loaded", service.engine.loaded_models()},
                     {"galleries", galleries},
                     {"workers", service.options.workers},
                     {"threads", service.options.threads},
                     {"openapi", "/openapi.json"}});
}

void metrics(Service& service, Exchange& x) {
  std::ostringstream out;
  out << service.metrics.prometheus_text();
  out << "# HELP facekit_requests_in_flight Requests admitted and not yet answered.\n"
         "# TYPE facekit_requests_in_flight gauge\n"
      << "facekit_requests_in_flight " << service.in_flight.load() - 1 << "\n";  // not counting this one
  const std::vector<std::string> models = service.engine.loaded_models();
  out << "# HELP facekit_models_loaded Models loaded (one per name, however many instances).\n"
         "# TYPE facekit_models_loaded gauge\n"
      << "facekit_models_loaded " << models.size() << "\n";
  const Engine::IndexCounts indexes = service.engine.index_counts();
  out << "# HELP facekit_index_builds_total Search indexes built over a whole gallery.\n"
         "# TYPE facekit_index_builds_total counter\n"
      << "facekit_index_builds_total " << indexes.built << "\n"
      << "# HELP facekit_index_updates_total Search indexes brought up to date with another node's or this "
         "node's writes, in place or by rebuilding the index from the vectors held.\n"
         "# TYPE facekit_index_updates_total counter\n"
      << "facekit_index_updates_total{how=\"in_place\"} " << indexes.updated_in_place << "\n"
      << "facekit_index_updates_total{how=\"rebuilt\"} " << indexes.updated_by_rebuild << "\n";
  out << "# HELP facekit_gallery_subjects Subjects (people) per gallery.\n# TYPE facekit_gallery_subjects gauge\n";
  for (const auto& g : service.galleries)
    out << "facekit_gallery_subjects{gallery=\"" << label_value(g->name()) << "\"} " << g->subject_count() << "\n";
  out << "# HELP facekit_gallery_faces Stored face vectors per gallery (every model).\n"
         "# TYPE facekit_gallery_faces gauge\n";
  for (const auto& g : service.galleries)
    out << "facekit_gallery_faces{gallery=\"" << label_value(g->name()) << "\"} " << g->vector_count() << "\n";
  x.response.set_content(out.str(), "text/plain; version=0.0.4");
}

}  // namespace

std::vector<Route> service_routes(const std::vector<Route>& all) {
  // The document covers the routes given and these four, itself included.
  auto document = std::make_shared<Json>();
  std::vector<Route> own = {
      {"GET", "/health", "liveness: 200 while the service answers (no key needed)", Access::kOpen, false, {}, health},
      {"GET", "/", "the service: version, models loaded, galleries (JSON); a browser (Accept: text/html) gets the "
       "web gallery, with no key", Access::kRead, false, {}, home, /*page_for_browsers=*/true},
      {"GET", "/metrics",
       "Prometheus text: requests, errors, latency per route; models; index builds and updates; gallery sizes",
       Access::kRead, false, {}, metrics},
      {"GET", "/openapi.json", "this API, as OpenAPI 3", Access::kRead, false, {},
       [document](Service&, Exchange& x) { reply(x.response, *document); }},
  };
  std::vector<Route> every = all;
  every.insert(every.end(), own.begin(), own.end());
  *document = openapi_document(every);
  return own;
}

}  // namespace facekit::serve
