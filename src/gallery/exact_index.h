// The exact indexes (see index.h): rows stored as float32 ("exact") or as
// IEEE float16 ("exact-fp16": half the memory and memory traffic; distances
// still accumulated in float32 from a float32 query).
#pragma once

#include <cstdint>
#include <type_traits>

#include "facekit/index.h"

namespace facekit {

template <typename Stored>
class ExactIndex : public Index {
 public:
  ExactIndex(int dimension, IndexSpace space) : dimension_(dimension), space_(space) {}
  void add(std::span<const float> vectors, std::span<const int64_t> labels) override;
  std::vector<Neighbor> search(std::span<const float> query, int k) const override;
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override {
    return rows_.capacity() * sizeof(Stored) + labels_.capacity() * sizeof(int64_t);
  }
  std::string name() const override { return std::is_same_v<Stored, float> ? "exact" : "exact-fp16"; }

 private:
  int dimension_;
  IndexSpace space_;
  std::vector<Stored> rows_;  // size() rows of dimension_ values, back to back
  std::vector<int64_t> labels_;
};

extern template class ExactIndex<float>;
extern template class ExactIndex<uint16_t>;

}  // namespace facekit
