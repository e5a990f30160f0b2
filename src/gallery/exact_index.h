// The exact index (see index.h).
#pragma once

#include "facekit/index.h"

namespace facekit {

class ExactIndex : public Index {
 public:
  ExactIndex(int dimension, IndexSpace space);
  void add(std::span<const float> vectors, std::span<const int64_t> labels) override;
  std::vector<Neighbor> search(std::span<const float> query, int k) const override;
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override;
  std::string name() const override { return "exact"; }

 private:
  int dimension_;
  IndexSpace space_;
  std::vector<float> rows_;  // size() rows of dimension_ floats, back to back
  std::vector<int64_t> labels_;
};

}  // namespace facekit
