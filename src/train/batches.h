// Which samples make each training batch.
#pragma once

#include <deque>
#include <random>
#include <vector>

namespace facekit::train {

// P×K batches for losses that learn from pairs inside the batch: each batch
// holds P distinct identities with K samples each, identity-major
// (id₀ × K, id₁ × K, ...). Identities are visited in rounds, each a new
// shuffle of all of them, so each is drawn equally often (one already in the
// batch waits for the next, so at any moment two identities' counts differ
// by at most two); an identity
// with at least K samples gives K distinct ones, one with fewer gives all of
// them and the rest drawn again at random (repeats). Identities with a single
// sample are never drawn (they have no positive pair); P is capped at the
// number of the others.
class PkSampler {
 public:
  // `samples_by_identity[i]`: the sample indices of identity i. Throws Error
  // unless p ≥ 1, k ≥ 2 and at least two identities have two samples.
  PkSampler(std::vector<std::vector<int>> samples_by_identity, int p, int k);
  std::vector<int> next_batch(std::mt19937_64& rng);
  int identities_per_batch() const { return p_; }
  int batch_size() const { return p_ * k_; }

 private:
  std::vector<std::vector<int>> samples_;  // identities with ≥ 2 samples
  int p_, k_;
  std::deque<int> order_;  // identities still to visit, in order
};

// The indices 0..count−1 shuffled and cut into batches of `batch_size` (the
// last one shorter; dropped when it would hold a single sample, which batch
// normalisation cannot train on). Throws Error unless batch_size ≥ 2.
std::vector<std::vector<int>> shuffled_batches(int count, int batch_size, std::mt19937_64& rng);

}  // namespace facekit::train
