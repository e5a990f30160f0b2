// The web gallery (web/: People, Search, Verify, Analyze): index.html at GET /
// for browsers, its other files under GET /web/. The pages hold nothing
// secret and call the same API as any client, with the key the user types,
// so they are served without a key.
#include <algorithm>

#include "serve/http_error.h"
#include "serve/service.h"
#include "serve/web_files.h"

namespace facekit::serve {

namespace {

std::string content_type(std::string_view name) {
  const std::string_view extension = name.substr(std::min(name.rfind('.'), name.size()));
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".js") return "text/javascript; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  return "application/octet-stream";
}

void web_file(Service&, Exchange& x) { answer_web_file(x.response, path_param(x.request, 1)); }

}  // namespace

bool prefers_html(const httplib::Request& request) {
  const std::string accept = request.get_header_value("Accept");
  const size_t html = accept.find("text/html");
  return html != std::string::npos && html < accept.find("application/json");
}

void answer_web_file(httplib::Response& response, std::string_view name) {
  const std::vector<WebFile>& files = web_files();
  const auto file = std::find_if(files.begin(), files.end(), [&](const WebFile& f) { return f.name == name; });
  if (file == files.end()) throw HttpError(404, "no such web file: " + std::string(name));
  response.set_content(std::string(file->content), content_type(name));
  // Everything from this server, nothing inline, no frames: the pages fetch
  // nothing from elsewhere, and an injected script could not run.
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
                      "form-action 'none'; frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-cache");  // a new binary's pages are seen at once
}

std::vector<Route> web_routes() {
  return {{"GET", "/web/{file}", "the web gallery's files (index.html is GET / for a browser; no key needed)",
           Access::kOpen, false, {{"file", "path", "string", "app.js, style.css, ..."}}, web_file}};
}

}  // namespace facekit::serve
