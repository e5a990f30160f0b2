// The service's counters, as Prometheus text: requests, errors and latency
// per route, requests in flight.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

namespace facekit::serve {

class Metrics {
 public:
  // One answered request of `route` ("METHOD PATH" as OpenAPI names it, or
  // "unmatched") with its HTTP status and its time in seconds.
  void record(const std::string& route, int status, double seconds);

  // facekit_http_requests_total, facekit_http_errors_total (status ≥ 400)
  // and the facekit_http_request_duration_seconds histogram, per route,
  // in the text exposition format.
  std::string prometheus_text() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10,  30};
  struct RouteStats {
    long requests = 0, errors = 0;
    double seconds = 0;
    std::array<long, kBuckets.size()> buckets{};  // requests at or under each bound
  };
  mutable std::mutex mutex_;
  std::map<std::string, RouteStats> routes_;
};

// `text` as a Prometheus label value (backslash, quote and newline escaped).
std::string label_value(const std::string& text);

}  // namespace facekit::serve
