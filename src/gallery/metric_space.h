// From match.h's metrics to the index spaces and back: cosine and
// euclidean_l2 search unit vectors by inner product, euclidean by squared L2.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "facekit/error.h"
#include "facekit/index.h"
#include "facekit/match.h"
#include "gallery/kernels.h"

namespace facekit::metric_space {

inline IndexSpace space_of(Metric metric) {
  return metric == Metric::kEuclidean ? IndexSpace::kL2 : IndexSpace::kInnerProduct;
}

// A vector as stored in the index: unit length for the inner-product space.
// Throws Error (naming `context`) for NaN, infinity or a zero vector there.
inline std::vector<float> prepare(std::span<const float> v, Metric metric, const std::string& context) {
  try {
    if (space_of(metric) == IndexSpace::kInnerProduct) return l2_normalize(v);
    for (float x : v) check(std::isfinite(x), context, "a vector holds NaN or infinity");
    check(!v.empty(), context, "an empty vector");
    return {v.begin(), v.end()};
  } catch (const Error& e) {
    throw Error(context + ": " + e.what());
  }
}

// An index distance in the metric's units.
inline double to_metric(double space_distance, Metric metric) {
  switch (metric) {
    case Metric::kCosine: return space_distance;
    case Metric::kEuclideanL2: return std::sqrt(std::max(0.0, 2 * space_distance));
    case Metric::kEuclidean: return std::sqrt(std::max(0.0, space_distance));
  }
  return space_distance;
}

// The metric distance between two prepared vectors.
inline double between(const float* a, const float* b, size_t n, Metric metric) {
  return to_metric(space_of(metric) == IndexSpace::kL2 ? kernels::squared_l2(a, b, n) : 1.0 - kernels::dot(a, b, n),
                   metric);
}

}  // namespace facekit::metric_space
