#include "serve/metrics.h"

#include <sstream>

namespace facekit::serve {

std::string label_value(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

void Metrics::record(const std::string& route, int status, double seconds) {
  const std::lock_guard lock(mutex_);
  RouteStats& s = routes_[route];
  ++s.requests;
  if (status >= 400) ++s.errors;
  s.seconds += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.buckets[i];
}

std::string Metrics::prometheus_text() const {
  const std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP facekit_http_requests_total Requests answered, per route.\n"
         "# TYPE facekit_http_requests_total counter\n";
  for (const auto& [route, s] : routes_)
    out << "facekit_http_requests_total{route=\"" << label_value(route) << "\"} " << s.requests << "\n";
  out << "# HELP facekit_http_errors_total Requests answered with a status of 400 or more, per route.\n"
         "# TYPE facekit_http_errors_total counter\n";
  for (const auto& [route, s] : routes_)
    out << "facekit_http_errors_total{route=\"" << label_value(route) << "\"} " << s.errors << "\n";
  out << "# HELP facekit_http_request_duration_seconds Time from routing to the answer, per route.\n"
         "# TYPE facekit_http_request_duration_seconds histogram\n";
  for (const auto& [route, s] : routes_) {
    const std::string label = "route=\"" + label_value(route) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "facekit_http_request_duration_seconds_bucket{" << label << ",le=\"" << kBuckets[i] << "\"} "
          << s.buckets[i] << "\n";
    out << "facekit_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << s.requests << "\n"
        << "facekit_http_request_duration_seconds_sum{" << label << "} " << s.seconds << "\n"
        << "facekit_http_request_duration_seconds_count{" << label << "} " << s.requests << "\n";
  }
  return out.str();
}

}  // namespace facekit::serve
