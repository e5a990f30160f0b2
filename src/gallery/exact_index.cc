// Exact search: every stored row is compared with the query, a block of
// rows per kernel call; a bounded max-heap keeps the k nearest.
#include "gallery/exact_index.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <unordered_set>

#include "gallery/index_common.h"
#include "gallery/kernels.h"

namespace facekit {
namespace {

// Symmetric int8 quantisation of one row: scale = max |x| / 127, each value
// rounded to the nearest integer multiple of it (ties to even), so no value
// moves by more than scale / 2. Returns the scale (0 for a zero row). In
// double: 127 / max stays finite for the smallest subnormal max.
float quantize_row(const float* x, size_t n, int8_t* out) {
  double largest = 0;
  for (size_t i = 0; i < n; ++i) largest = std::max(largest, std::abs(double{x[i]}));
  if (largest == 0) {
    std::fill(out, out + n, int8_t{0});
    return 0;
  }
  const double inverse = 127 / largest;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(std::nearbyint(x[i] * inverse));
  return static_cast<float>(largest / 127);
}

}  // namespace

template <typename Stored>
void ExactIndex<Stored>::add(std::span<const float> vectors, std::span<const int64_t> labels) {
  index_detail::check_add(name(), dimension_, vectors, labels);
  const auto dim = static_cast<size_t>(dimension_);
  if constexpr (std::is_same_v<Stored, float>) {
    rows_.insert(rows_.end(), vectors.begin(), vectors.end());
  } else if constexpr (std::is_same_v<Stored, uint16_t>) {
    for (float v : vectors)
      check(std::abs(v) <= 65504.f, name() + " index", "a value beyond float16's range (±65504)");
    rows_.reserve(rows_.size() + vectors.size());
    for (float v : vectors) rows_.push_back(kernels::float_to_half(v));
  } else {
    const size_t old_rows = labels_.size();
    rows_.resize(rows_.size() + vectors.size());
    for (size_t r = 0; r < labels.size(); ++r) {
      int8_t* stored = rows_.data() + (old_rows + r) * dim;
      const float scale = quantize_row(vectors.data() + r * dim, dim, stored);
      scales_.push_back(scale);
      if (space_ == IndexSpace::kL2) {
        double length2 = 0;
        for (size_t i = 0; i < dim; ++i) length2 += static_cast<double>(stored[i]) * stored[i];
        squared_norms_.push_back(static_cast<float>(length2 * scale * scale));
      }
    }
  }
  labels_.insert(labels_.end(), labels.begin(), labels.end());
}

// Each removed row is overwritten by the last one: the rows stay contiguous
// without moving the others.
template <typename Stored>
bool ExactIndex<Stored>::remove(std::span<const int64_t> labels) {
  const std::unordered_set<int64_t> removed(labels.begin(), labels.end());
  const auto dim = static_cast<size_t>(dimension_);
  for (size_t r = 0; r < labels_.size();) {
    if (!removed.contains(labels_[r])) {
      ++r;
      continue;
    }
    const size_t last = labels_.size() - 1;
    if (r != last) {
      std::copy_n(rows_.begin() + static_cast<std::ptrdiff_t>(last * dim), dim,
                  rows_.begin() + static_cast<std::ptrdiff_t>(r * dim));
      labels_[r] = labels_[last];
      if (!scales_.empty()) scales_[r] = scales_[last];
      if (!squared_norms_.empty()) squared_norms_[r] = squared_norms_[last];
    }
    rows_.resize(last * dim);
    labels_.pop_back();
    if (!scales_.empty()) scales_.pop_back();
    if (!squared_norms_.empty()) squared_norms_.pop_back();
  }
  return true;
}

template <typename Stored>
void ExactIndex<Stored>::distances(const float* query, float query_squared_norm, size_t first, size_t count,
                                   float* out) const {
  const auto dim = static_cast<size_t>(dimension_);
  const Stored* rows = rows_.data() + first * dim;
  if constexpr (std::is_same_v<Stored, int8_t>) {
    // q·x ≈ scale·(q·stored); |q − x|² = |q|² − 2 q·x + |x|².
    kernels::dot_rows(query, rows, count, dim, out);
    for (size_t i = 0; i < count; ++i) {
      const float dot = scales_[first + i] * out[i];
      out[i] = space_ == IndexSpace::kInnerProduct
                   ? 1.f - dot
                   : std::max(0.f, query_squared_norm - 2 * dot + squared_norms_[first + i]);
    }
  } else if (space_ == IndexSpace::kInnerProduct) {
    kernels::dot_rows(query, rows, count, dim, out);
    for (size_t i = 0; i < count; ++i) out[i] = 1.f - out[i];
  } else {
    kernels::squared_l2_rows(query, rows, count, dim, out);
  }
}

template <typename Stored>
std::vector<Neighbor> ExactIndex<Stored>::search(std::span<const float> query, int k) const {
  index_detail::check_query(name(), dimension_, query);
  const size_t n = labels_.size();
  const size_t keep = std::min(n, static_cast<size_t>(std::max(k, 0)));
  if (keep == 0) return {};
  const float query_squared_norm = kernels::dot(query.data(), query.data(), query.size());
  auto farther = [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; };
  std::priority_queue<Neighbor, std::vector<Neighbor>, decltype(farther)> nearest(farther);
  constexpr size_t kBlock = 1024;
  float block[kBlock];
  for (size_t first = 0; first < n; first += kBlock) {
    const size_t count = std::min(kBlock, n - first);
    distances(query.data(), query_squared_norm, first, count, block);
    for (size_t i = 0; i < count; ++i) {
      if (nearest.size() < keep) {
        nearest.push({labels_[first + i], block[i]});
      } else if (block[i] < nearest.top().distance) {
        nearest.pop();
        nearest.push({labels_[first + i], block[i]});
      }
    }
  }
  std::vector<Neighbor> out(nearest.size());
  for (size_t i = out.size(); i-- > 0; nearest.pop()) out[i] = nearest.top();
  return out;
}

template class ExactIndex<float>;
template class ExactIndex<uint16_t>;
template class ExactIndex<int8_t>;

}  // namespace facekit
