// Exact search: every stored row is compared with the query, a block of
// rows per kernel call; a bounded max-heap keeps the k nearest.
#include "gallery/exact_index.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "gallery/index_common.h"
#include "gallery/kernels.h"

namespace facekit {

template <typename Stored>
void ExactIndex<Stored>::add(std::span<const float> vectors, std::span<const int64_t> labels) {
  index_detail::check_add(name(), dimension_, vectors, labels);
  if constexpr (std::is_same_v<Stored, float>) {
    rows_.insert(rows_.end(), vectors.begin(), vectors.end());
  } else {
    for (float v : vectors)
      check(std::abs(v) <= 65504.f, name() + " index", "a value beyond float16's range (±65504)");
    rows_.reserve(rows_.size() + vectors.size());
    for (float v : vectors) rows_.push_back(kernels::float_to_half(v));
  }
  labels_.insert(labels_.end(), labels.begin(), labels.end());
}

template <typename Stored>
std::vector<Neighbor> ExactIndex<Stored>::search(std::span<const float> query, int k) const {
  index_detail::check_query(name(), dimension_, query);
  const size_t n = labels_.size();
  const size_t keep = std::min(n, static_cast<size_t>(std::max(k, 0)));
  if (keep == 0) return {};
  const auto dim = static_cast<size_t>(dimension_);
  auto farther = [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; };
  std::priority_queue<Neighbor, std::vector<Neighbor>, decltype(farther)> nearest(farther);
  constexpr size_t kBlock = 1024;
  float block[kBlock];
  for (size_t first = 0; first < n; first += kBlock) {
    const size_t count = std::min(kBlock, n - first);
    const Stored* rows = rows_.data() + first * dim;
    if (space_ == IndexSpace::kInnerProduct) {
      kernels::dot_rows(query.data(), rows, count, dim, block);
      for (size_t i = 0; i < count; ++i) block[i] = 1.f - block[i];
    } else {
      kernels::squared_l2_rows(query.data(), rows, count, dim, block);
    }
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

}  // namespace facekit
