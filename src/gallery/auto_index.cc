// "auto": exact while a scan takes about a millisecond (128-D), then the
// approximate index measured best at each size (docs/scaling.md): hnswlib
// while its graph fits (recall@1 0.986 at 0.74 ms at 1M × 128-D, where
// IVF-Flat needs 3 ms for 0.94), IVF-PQ beyond (2.8 GB at 10M × 128-D).
#include "gallery/auto_index.h"

#include <algorithm>

#include "gallery/index_common.h"

namespace facekit {
namespace {

constexpr size_t kExactBelow = 50'000;
constexpr size_t kGraphUpTo = 2'000'000;

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
  bool remove(std::span<const int64_t> labels) override { return !chosen_ || chosen_->remove(labels); }
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
  return count <= kGraphUpTo || !faiss ? "hnsw" : "faiss-ivf-pq";
}

std::unique_ptr<Index> make_auto_index(int dimension, IndexSpace space, const IndexOptions& options) {
  return std::make_unique<AutoIndex>(dimension, space, options);
}

}  // namespace facekit
