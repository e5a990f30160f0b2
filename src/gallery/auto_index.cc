// "auto": exact while brute force is as fast as any approximate index, then
// the approximate indexes measured best at each size (docs/scaling.md).
#include "gallery/auto_index.h"

#include <algorithm>

#include "gallery/index_common.h"

namespace facekit {
namespace {

constexpr size_t kExactBelow = 50'000;
constexpr size_t kFlatCellsUpTo = 2'000'000;

class AutoIndex : public Index {
 public:
  AutoIndex(int dimension, IndexSpace space, const IndexOptions& options)
      : dimension_(dimension), space_(space), options_(options) {}

  void add(std::span<const float> vectors, std::span<const int64_t> labels) override {
    if (!chosen_) {
      index_detail::check_add(name(), dimension_, vectors, labels);
      chosen_ = make_index(auto_index_kind(labels.size()), dimension_, space_, options_);
    }
    chosen_->add(vectors, labels);
  }
  std::vector<Neighbor> search(std::span<const float> query, int k) const override {
    if (!chosen_) {
      index_detail::check_query(name(), dimension_, query);
      return {};
    }
    return chosen_->search(query, k);
  }
  int64_t size() const override { return chosen_ ? chosen_->size() : 0; }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override { return chosen_ ? chosen_->memory_bytes() : 0; }
  std::string name() const override { return chosen_ ? "auto (" + chosen_->name() + ")" : "auto"; }

 private:
  int dimension_;
  IndexSpace space_;
  IndexOptions options_;
  std::unique_ptr<Index> chosen_;
};

}  // namespace

std::string auto_index_kind(size_t count) {
  const auto names = index_names();
  const bool faiss = std::find(names.begin(), names.end(), "faiss-ivf-flat") != names.end();
  if (count < kExactBelow) return "exact";
  if (!faiss) return "hnsw";
  return count <= kFlatCellsUpTo ? "faiss-ivf-flat" : "faiss-ivf-pq";
}

std::unique_ptr<Index> make_auto_index(int dimension, IndexSpace space, const IndexOptions& options) {
  return std::make_unique<AutoIndex>(dimension, space, options);
}

}  // namespace facekit
