// Exact search: every stored row is compared with the query; a bounded
// max-heap keeps the k nearest.
#include <algorithm>
#include <queue>

#include "gallery/exact_index.h"
#include "gallery/index_common.h"
#include "gallery/kernels.h"

namespace facekit {

ExactIndex::ExactIndex(int dimension, IndexSpace space) : dimension_(dimension), space_(space) {}

void ExactIndex::add(std::span<const float> vectors, std::span<const int64_t> labels) {
  index_detail::check_add(name(), dimension_, vectors, labels);
  rows_.insert(rows_.end(), vectors.begin(), vectors.end());
  labels_.insert(labels_.end(), labels.begin(), labels.end());
}

std::vector<Neighbor> ExactIndex::search(std::span<const float> query, int k) const {
  index_detail::check_query(name(), dimension_, query);
  const size_t n = labels_.size();
  const size_t keep = std::min(n, static_cast<size_t>(std::max(k, 0)));
  if (keep == 0) return {};
  const auto dim = static_cast<size_t>(dimension_);
  auto farther = [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; };
  std::priority_queue<Neighbor, std::vector<Neighbor>, decltype(farther)> nearest(farther);
  // Distances a block at a time (one kernel call per block), then selection.
  constexpr size_t kBlock = 1024;
  float block[kBlock];
  for (size_t first = 0; first < n; first += kBlock) {
    const size_t count = std::min(kBlock, n - first);
    const float* rows = rows_.data() + first * dim;
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

size_t ExactIndex::memory_bytes() const {
  return rows_.capacity() * sizeof(float) + labels_.capacity() * sizeof(int64_t);
}

}  // namespace facekit
