#include "train/batches.h"

#include <algorithm>
#include <numeric>

#include "facekit/error.h"

namespace facekit::train {

PkSampler::PkSampler(std::vector<std::vector<int>> samples_by_identity, int p, int k) : p_(p), k_(k) {
  check(p >= 1 && k >= 2, "P×K sampler",
        "needs P ≥ 1 identities and K ≥ 2 images per identity (got P " + std::to_string(p) + ", K " +
            std::to_string(k) + ")");
  for (auto& s : samples_by_identity)
    if (s.size() >= 2) samples_.push_back(std::move(s));
  check(samples_.size() >= 2, "P×K sampler",
        "needs at least two identities with two images (found " + std::to_string(samples_.size()) + ")");
  p_ = std::min(p, static_cast<int>(samples_.size()));
}

std::vector<int> PkSampler::next_batch(std::mt19937_64& rng) {
  std::vector<int> chosen;
  while (static_cast<int>(chosen.size()) < p_) {
    // The first queued identity not already in this batch; one that is stays
    // queued for the next batch.
    auto next = std::find_if(order_.begin(), order_.end(),
                             [&](int id) { return std::find(chosen.begin(), chosen.end(), id) == chosen.end(); });
    if (next == order_.end()) {  // queue a new round over every identity
      std::vector<int> round(samples_.size());
      std::iota(round.begin(), round.end(), 0);
      std::shuffle(round.begin(), round.end(), rng);
      order_.insert(order_.end(), round.begin(), round.end());
      continue;
    }
    chosen.push_back(*next);
    order_.erase(next);
  }
  std::vector<int> batch;
  for (int id : chosen) {
    std::vector<int> pool = samples_[id];
    std::shuffle(pool.begin(), pool.end(), rng);
    const int distinct = std::min(k_, static_cast<int>(pool.size()));
    batch.insert(batch.end(), pool.begin(), pool.begin() + distinct);
    std::uniform_int_distribution<size_t> any(0, pool.size() - 1);
    for (int i = distinct; i < k_; ++i) batch.push_back(pool[any(rng)]);
  }
  return batch;
}

std::vector<std::vector<int>> shuffled_batches(int count, int batch_size, std::mt19937_64& rng) {
  check(batch_size >= 2, "batches", "the batch size must be at least 2 (got " + std::to_string(batch_size) + ")");
  std::vector<int> order(std::max(count, 0));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::vector<int>> batches;
  for (int start = 0; start + 1 < count; start += batch_size)
    batches.emplace_back(order.begin() + start, order.begin() + std::min(start + batch_size, count));
  return batches;
}

}  // namespace facekit::train
