// Checks shared by the index implementations.
#pragma once

#include <cmath>
#include <span>
#include <string>

#include "facekit/error.h"

namespace facekit::index_detail {

// Throws Error naming the index unless `vectors` holds labels.size() finite
// rows of `dimension` values.
inline void check_add(const std::string& index, int dimension, std::span<const float> vectors,
                      std::span<const int64_t> labels) {
  check(vectors.size() == labels.size() * static_cast<size_t>(dimension), index + " index",
        std::to_string(labels.size()) + " labels for " + std::to_string(vectors.size()) + " values of " +
            std::to_string(dimension) + "-D vectors");
  for (float v : vectors) check(std::isfinite(v), index + " index", "a vector holds NaN or infinity");
}

// Throws Error naming the index unless `query` holds `dimension` finite values.
inline void check_query(const std::string& index, int dimension, std::span<const float> query) {
  check(query.size() == static_cast<size_t>(dimension), index + " index",
        "query is " + std::to_string(query.size()) + "-D, the index " + std::to_string(dimension) + "-D");
  for (float v : query) check(std::isfinite(v), index + " index", "the query holds NaN or infinity");
}

}  // namespace facekit::index_detail
