// facekit::Server: the route table on cpp-httplib, with the keys, the limits
// and the metrics around every route.
#include <pthread.h>

#include <csignal>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <semaphore>
#include <set>
#include <sstream>
#include <thread>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/limits.h"
#include "facekit/option_names.h"
#include "serve/http_error.h"
#include "serve/service.h"

namespace facekit {

namespace {

using serve::Access;
using serve::HttpError;
using serve::Route;

// A loopback address: the only kind a server without keys may listen on.
bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// The httplib pattern of an OpenAPI path: "{subject}" takes the rest of the
// path (a name may hold a '/', URL-encoded), other parameters one segment.
std::string route_pattern(const std::string& path) {
  std::string pattern;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      const size_t end = path.find('}', i);
      pattern += path.substr(i + 1, end - i - 1) == "subject" ? "(.+)" : "([^/]+)";
      i = end;
    } else {
      if (path[i] == '.') pattern += '\\';
      pattern += path[i];
    }
  }
  return pattern;
}

// The (name, location) of a --db entry: NAME=LOCATION, or LOCATION alone.
std::pair<std::string, std::string> gallery_entry(const std::string& entry, size_t index) {
  const size_t equals = entry.find('=');
  if (equals != std::string::npos && equals > 0 &&
      std::regex_match(entry.substr(0, equals), std::regex("[A-Za-z0-9_-]+")))
    return {entry.substr(0, equals), entry.substr(equals + 1)};
  return {index == 0 ? "default" : "gallery" + std::to_string(index + 1), entry};
}

// "FLAG ENTRY" for messages about a --db or --replica entry: a PostgreSQL
// URI's password masked.
std::string option_entry(const std::string& flag, const std::string& entry) {
  return flag + " " + masked_location(entry);
}

// The read replica of each gallery that has one (--replica [NAME=]URI: of
// gallery NAME, the first by default). Throws Error naming the option (the
// URI's password masked) for an unknown gallery, a second replica of one, a
// replica that is not a PostgreSQL URI or of a gallery that is not one.
std::map<std::string, std::string> replicas_of(const ServeOptions& o) {
  std::map<std::string, std::string> galleries, replicas;
  for (size_t i = 0; i < o.galleries.size(); ++i) galleries.insert(gallery_entry(o.galleries[i], i));
  for (const std::string& entry : o.replicas) {
    auto [name, uri] = gallery_entry(entry, 0);
    if (name == "default" && !o.galleries.empty()) name = gallery_entry(o.galleries[0], 0).first;
    const std::string option = option_entry("--replica", entry);
    check(galleries.count(name) == 1, option, "no gallery named " + name + " (--db [NAME=]LOCATION)");
    check(is_postgres_location(uri), option, "a replica is a postgresql:// URI");
    check(is_postgres_location(galleries[name]), option,
          "gallery " + name + " is not on PostgreSQL: only a PostgreSQL gallery has replicas");
    check(replicas.emplace(name, uri).second, option, "a second replica of gallery " + name);
  }
  return replicas;
}

// Counts a request in flight for its life; HttpError 503 beyond the cap.
class Admission {
 public:
  Admission(std::atomic<int>& in_flight, int cap) : in_flight_(in_flight) {
    if (in_flight_.fetch_add(1) >= cap) {
      in_flight_.fetch_sub(1);
      throw HttpError(503, "too many requests in flight (" + std::to_string(cap) + "); retry shortly");
    }
  }
  ~Admission() { in_flight_.fetch_sub(1); }
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

 private:
  std::atomic<int>& in_flight_;
};

// One of the workers' turns, waited for up to the timeout; HttpError 503 after.
class WorkerTurn {
 public:
  WorkerTurn(std::counting_semaphore<>& turns, int timeout_s) : turns_(turns) {
    if (!turns_.try_acquire_for(std::chrono::seconds(timeout_s)))
      throw HttpError(503, "no worker became free within " + std::to_string(timeout_s) + " s; retry shortly");
  }
  ~WorkerTurn() { turns_.release(); }
  WorkerTurn(const WorkerTurn&) = delete;
  WorkerTurn& operator=(const WorkerTurn&) = delete;

 private:
  std::counting_semaphore<>& turns_;
};

// Threads of httplib's pool beyond the in-flight cap: they answer 503s,
// /health and /metrics while every admitted request is busy.
constexpr int kSpareConnections = 4;

ServeOptions resolved(ServeOptions o) {
  o.workers = thread_count(o.workers, "--workers");
  if (o.threads == 0) o.threads = std::max(1, available_cores() / o.workers);
  o.threads = thread_count(o.threads, "--threads");
  return o;
}

}  // namespace

void check_serve_options(const ServeOptions& o) {
  check(o.port >= 0 && o.port <= 65535, "--port", std::to_string(o.port) + " is not in [0, 65535]");
  check(!o.host.empty(), "--host", "must not be empty");
  check(o.workers >= 0 && o.workers <= max_threads(), "--workers",
        "must be in [0, " + std::to_string(max_threads()) + "] (0: the cores)");
  check(o.threads >= 0 && o.threads <= max_threads(), "--threads",
        "must be in [0, " + std::to_string(max_threads()) + "] (0: the cores shared among the workers)");
  check(o.max_body >= 1024 && o.max_body <= (size_t{1} << 30), "--max-body", "must be in [1 KiB, 1 GiB]");
  check(o.max_in_flight >= 1 && o.max_in_flight <= 10000, "--max-in-flight", "must be in [1, 10000]");
  check(o.timeout_s >= 1 && o.timeout_s <= 3600, "--timeout", "must be in [1, 3600] seconds");
  check_clip_limits(o.clip_limits);
  std::set<std::string> names;
  for (size_t i = 0; i < o.galleries.size(); ++i) {
    const auto [name, location] = gallery_entry(o.galleries[i], i);
    const std::string option = option_entry("--db", o.galleries[i]);
    check(!location.empty(), option, "names no gallery");
    check(names.insert(name).second, option, "a second gallery named " + name);
  }
  replicas_of(o);
  if (!o.image_root.empty()) {
    std::error_code ec;
    check(std::filesystem::is_directory(o.image_root, ec), "--image-root " + o.image_root, "not a folder");
  }
}

struct ServerImpl {
  serve::Service service;
  serve::KeyRing keys;
  std::counting_semaphore<> turns;
  httplib::Server http;
  std::vector<Route> routes;
  std::ostream& log;
  int port = 0;

  ServerImpl(const ServeOptions& o, std::vector<serve::ApiKey> api_keys, std::ostream& log)
      : service(o, EngineOptions{o.threads}), keys(std::move(api_keys)), turns(o.workers), log(log) {}

  // The key a request presents, checked against the route's access.
  const serve::ApiKey* authorize(const Route& route, const httplib::Request& request) const {
    if (keys.empty() || route.access == Access::kOpen) return nullptr;
    if (route.page_for_browsers && serve::prefers_html(request)) return nullptr;
    const std::string presented =
        serve::presented_key(request.get_header_value("Authorization"), request.get_header_value("x-api-key"));
    if (presented.empty())
      throw HttpError(401, "an API key is needed: send `Authorization: Bearer KEY` or `x-api-key: KEY`");
    const serve::ApiKey* key = keys.find(presented);
    if (!key) throw HttpError(401, "unknown API key");
    if (route.access == Access::kWrite && key->read_only) throw HttpError(403, "this API key is read-only");
    return key;
  }

  void answer(const Route& route, const httplib::Request& request, httplib::Response& response) {
    const auto start = std::chrono::steady_clock::now();
    try {
      const serve::ApiKey* key = authorize(route, request);
      const Admission admitted(service.in_flight, service.options.max_in_flight);
      std::optional<WorkerTurn> turn;
      if (route.computes) turn.emplace(turns, service.options.timeout_s);
      serve::Exchange exchange{request, response, key};
      route.handler(service, exchange);
    } catch (const HttpError& e) {
      fail(response, e);
    } catch (const NoFaceError& e) {
      fail(response, serve::HttpError(400, in_terms_of(e.what(), FrontEnd::kHttp), serve::kNoFaceCode));
    } catch (const Error& e) {
      fail(response, serve::HttpError(400, in_terms_of(e.what(), FrontEnd::kHttp)));
    } catch (const std::exception& e) {
      log << "facekit serve: internal error on " << route.method << " " << route.path << ": " << e.what() << std::endl;
      fail(response, HttpError(500, "internal error (the server's log says more)"));
    }
    service.metrics.record(route.method + " " + route.path, response.status,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  static void fail(httplib::Response& response, const HttpError& e) {
    serve::reply(response, serve::error_body(e.status(), e.code(), e.what()), e.status());
    if (e.status() == 503) response.set_header("Retry-After", "1");
  }

  void add(const Route& route) {
    const std::string pattern = route_pattern(route.path);
    auto handler = [this, &route](const httplib::Request& request, httplib::Response& response) {
      answer(route, request, response);
    };
    if (route.method == "GET") http.Get(pattern, handler);
    if (route.method == "POST") http.Post(pattern, handler);
    if (route.method == "PUT") http.Put(pattern, handler);
    if (route.method == "DELETE") http.Delete(pattern, handler);
  }
};

Server::Server(const ServeOptions& options, std::ostream& log) {
  check_serve_options(options);
  const ServeOptions o = resolved(options);
  std::vector<serve::ApiKey> keys;
  if (!o.keys_file.empty()) {
    std::ifstream in(o.keys_file);
    check(in.good(), "--keys " + o.keys_file, "cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    keys = serve::parse_api_keys(text.str(), o.keys_file);
    check(!keys.empty(), "--keys " + o.keys_file, "holds no key");
  }
  for (serve::ApiKey& k : serve::parse_api_keys(o.keys_text, "$FACEKIT_API_KEYS")) keys.push_back(std::move(k));
  if (keys.empty())
    check(is_loopback(o.host), "--host " + o.host,
          "no API key is configured (--keys FILE or $FACEKIT_API_KEYS): without keys the service listens on "
          "loopback only (127.0.0.1 or ::1)");
  impl_ = std::make_unique<ServerImpl>(o, std::move(keys), log);
  serve::Service& service = impl_->service;
  const std::map<std::string, std::string> replicas = replicas_of(o);
  for (size_t i = 0; i < o.galleries.size(); ++i) {
    const auto [name, location] = gallery_entry(o.galleries[i], i);
    const auto replica = replicas.find(name);
    service.galleries.push_back(std::make_unique<serve::GalleryService>(
        name, location, service.engine, replica == replicas.end() ? "" : replica->second, log));
  }

  std::vector<Route>& routes = impl_->routes;
  for (auto part : {serve::deepface_routes(), serve::compreface_routes(), serve::video_routes(), serve::web_routes()}) routes.insert(routes.end(), part.begin(), part.end());
  const std::vector<Route> own = serve::service_routes(routes);
  routes.insert(routes.end(), own.begin(), own.end());
  for (const Route& route : routes) impl_->add(route);

  httplib::Server& http = impl_->http;
  http.set_payload_max_length(o.max_body);
  http.set_read_timeout(o.timeout_s, 0);
  http.set_write_timeout(o.timeout_s, 0);
  http.set_keep_alive_timeout(std::min(5, o.timeout_s));
  // Without it, Nagle's algorithm and the client's delayed ACK hold each
  // answer for ~40 ms (measured: GET /health at 300 requests/s, p50 42 ms).
  http.set_tcp_nodelay(true);
  const int connections = o.max_in_flight + kSpareConnections;
  http.new_task_queue = [connections] { return new httplib::ThreadPool(static_cast<size_t>(connections)); };
  // httplib's own answers (an unknown route, a body over the cap, a
  // malformed request) in the service's JSON form.
  http.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    std::string message = "no route " + request.method + " " + request.path + " (GET /openapi.json lists them)";
    if (response.status == 413)
      message = "the request body is over --max-body (" + std::to_string(impl_->service.options.max_body) + " bytes)";
    else if (response.status != 404)
      message = "malformed or incomplete request (a client stalling over --timeout is cut off)";
    serve::reply(response, serve::error_body(response.status, response.status, message), response.status);
    impl_->service.metrics.record("unmatched", response.status, 0);
  });
  http.set_exception_handler([this](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    ServerImpl::fail(response, HttpError(500, "internal error"));
  });

  impl_->port = o.port == 0 ? http.bind_to_any_port(o.host) : (http.bind_to_port(o.host, o.port) ? o.port : -1);
  check(impl_->port > 0, "--host " + o.host + " --port " + std::to_string(o.port), "cannot listen there (in use?)");
  log << "facekit serve: listening on http://" << (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host)
      << ":" << impl_->port << " (" << o.workers << " workers × " << o.threads << " threads, " << o.max_in_flight
      << " requests in flight at most, " << service.galleries.size() << " galler"
      << (service.galleries.size() == 1 ? "y" : "ies") << ")" << std::endl;
  if (impl_->keys.empty())
    log << "facekit serve: no API key configured: anyone who can reach this machine's loopback can call it "
           "(--keys FILE or $FACEKIT_API_KEYS to require keys)"
        << std::endl;
  else
    log << "facekit serve: " << impl_->keys.size() << " API key" << (impl_->keys.size() == 1 ? "" : "s") << std::endl;
}

Server::~Server() = default;

int Server::port() const { return impl_->port; }

void Server::run() {
  impl_->http.listen_after_bind();
  impl_->log << "facekit serve: stopped; every request in flight was answered" << std::endl;
}

void Server::stop() { impl_->http.stop(); }

int serve_until_signalled(const ServeOptions& options, std::ostream& log) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);  // before any thread starts: they all inherit it
  Server server(options, log);
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGTERM || signal == SIGINT) log << "facekit serve: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
                                                   << ": finishing the requests in flight" << std::endl;
    server.stop();
  });
  server.run();
  // run() may also end without a signal (the socket failing): wake the waiter.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace facekit
