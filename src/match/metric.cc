// The three distance metrics and L2 normalisation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "facekit/error.h"
#include "facekit/match.h"

namespace facekit {

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {"cosine", "euclidean", "euclidean_l2"};
  return names;
}

Metric parse_metric(const std::string& name) {
  if (name == "cosine") return Metric::kCosine;
  if (name == "euclidean") return Metric::kEuclidean;
  if (name == "euclidean_l2") return Metric::kEuclideanL2;
  std::string known;
  for (const auto& n : metric_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("metric '" + name + "': unknown (known metrics: " + known + ")");
}

std::string metric_name(Metric metric) {
  switch (metric) {
    case Metric::kCosine: return "cosine";
    case Metric::kEuclidean: return "euclidean";
    case Metric::kEuclideanL2: return "euclidean_l2";
  }
  throw Error("metric: invalid enum value " + std::to_string(static_cast<int>(metric)));
}

double max_distance(Metric metric) {
  return metric == Metric::kEuclidean ? std::numeric_limits<double>::infinity() : 2.0;
}

void check_threshold(double threshold, Metric metric, const std::string& context) {
  const double top = max_distance(metric);
  const std::string range = std::isinf(top) ? "finite and at least 0" : "within 0..2";
  check(std::isfinite(threshold) && threshold >= 0 && threshold <= top, context,
        "threshold " + std::to_string(threshold) + " is not a " + metric_name(metric) + " distance (" + range + ")");
}

namespace {

// Throws unless `v` is a non-empty vector of finite values.
void check_finite(std::span<const float> v, const std::string& which) {
  check(!v.empty(), which, "is empty");
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) throw Error(which + ": element " + std::to_string(i) + " is not finite (" + std::to_string(v[i]) + ")");
}

double norm(std::span<const float> v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

}  // namespace

std::vector<float> l2_normalize(std::span<const float> v) {
  check_finite(v, "l2_normalize: vector");
  const double n = norm(v);
  check(n > 0, "l2_normalize: vector", "has zero length, so no direction to normalise");
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] / n);
  return out;
}

double distance(std::span<const float> a, std::span<const float> b, Metric metric) {
  const std::string context = "distance (" + metric_name(metric) + ")";
  check_finite(a, context + ": first embedding");
  check_finite(b, context + ": second embedding");
  check(a.size() == b.size(), context,
        "embeddings differ in dimension (" + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
            "): were they made by the same model?");
  if (metric == Metric::kEuclidean) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double d = static_cast<double>(a[i]) - b[i];
      sum += d * d;
    }
    return std::sqrt(sum);
  }
  const double na = norm(a), nb = norm(b);
  check(na > 0, context + ": first embedding", "has zero length, so no direction to compare");
  check(nb > 0, context + ": second embedding", "has zero length, so no direction to compare");
  if (metric == Metric::kCosine) {
    double dot = 0;
    for (size_t i = 0; i < a.size(); ++i) dot += static_cast<double>(a[i]) * b[i];
    return 1 - std::clamp(dot / (na * nb), -1.0, 1.0);  // rounding can step just outside
  }
  // Summed directly rather than as sqrt(2 − 2cos), which cancels
  // catastrophically for near-identical vectors.
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = a[i] / na - b[i] / nb;
    sum += d * d;
  }
  return std::sqrt(sum);
}

}  // namespace facekit
