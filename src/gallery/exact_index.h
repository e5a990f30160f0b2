// The exact indexes (see index.h): rows stored as float32 ("exact"), as
// IEEE float16 ("exact-fp16": half the memory and memory traffic) or as int8
// with one scale per row ("exact-int8": a quarter). Distances are always
// accumulated in float32 from the float32 query.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "facekit/index.h"

namespace facekit {

template <typename Stored>
class ExactIndex : public Index {
 public:
  ExactIndex(int dimension, IndexSpace space) : dimension_(dimension), space_(space) {}
  void add(std::span<const float> vectors, std::span<const int64_t> labels) override;
  bool remove(std::span<const int64_t> labels) override;
  std::vector<Neighbor> search(std::span<const float> query, int k) const override;
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override {
    return rows_.capacity() * sizeof(Stored) + labels_.capacity() * sizeof(int64_t) +
           (scales_.capacity() + squared_norms_.capacity()) * sizeof(float);
  }
  std::string name() const override {
    if constexpr (std::is_same_v<Stored, float>) return "exact";
    if constexpr (std::is_same_v<Stored, uint16_t>) return "exact-fp16";
    return "exact-int8";
  }

 private:
  // Index-space distances from `query` to `count` rows from row `first`.
  void distances(const float* query, float query_squared_norm, size_t first, size_t count, float* out) const;

  int dimension_;
  IndexSpace space_;
  std::vector<Stored> rows_;  // size() rows of dimension_ values, back to back
  std::vector<int64_t> labels_;
  // exact-int8 only: per row, the scale (value ≈ stored integer × scale)
  // and, for the L2 space, the squared length of the dequantised row.
  std::vector<float> scales_, squared_norms_;
};

extern template class ExactIndex<float>;
extern template class ExactIndex<uint16_t>;
extern template class ExactIndex<int8_t>;

}  // namespace facekit
