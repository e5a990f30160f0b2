// hnswlib's headers define non-inline functions: include them in this one
// file only.
#include "gallery/hnsw_index.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include <hnswlib/hnswlib.h>

#include "facekit/limits.h"
#include "gallery/index_common.h"
#include "gallery/kernels.h"

namespace facekit {
namespace {

// hnswlib picks its SIMD at compile time (baseline x86-64: SSE only); this
// space runs its distances on facekit's kernels, chosen at run time.
class KernelSpace : public hnswlib::SpaceInterface<float> {
 public:
  KernelSpace(int dimension, IndexSpace space) : dimension_(static_cast<size_t>(dimension)), space_(space) {}
  size_t get_data_size() override { return dimension_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override {
    return space_ == IndexSpace::kInnerProduct ? &inner_product : &squared_l2;
  }
  void* get_dist_func_param() override { return &dimension_; }

 private:
  static float inner_product(const void* a, const void* b, const void* dimension) {
    return 1.f - kernels::dot(static_cast<const float*>(a), static_cast<const float*>(b),
                              *static_cast<const size_t*>(dimension));
  }
  static float squared_l2(const void* a, const void* b, const void* dimension) {
    return kernels::squared_l2(static_cast<const float*>(a), static_cast<const float*>(b),
                               *static_cast<const size_t*>(dimension));
  }
  size_t dimension_;
  IndexSpace space_;
};

class HnswIndex : public Index {
 public:
  HnswIndex(int dimension, IndexSpace space, const IndexOptions& options)
      : dimension_(dimension), space_(space), options_(options) {
    metric_ = std::make_unique<KernelSpace>(dimension, space);
    graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(metric_.get(), 1024, options.hnsw_m,
                                                               options.hnsw_ef_construction);
    graph_->setEf(options.hnsw_ef_search);
  }

  void add(std::span<const float> vectors, std::span<const int64_t> labels) override {
    index_detail::check_add(name(), dimension_, vectors, labels);
    const size_t n = labels.size();
    const size_t needed = graph_->cur_element_count + n;
    if (needed > graph_->max_elements_) graph_->resizeIndex(std::max(needed, 2 * graph_->max_elements_));
    const size_t dim = static_cast<size_t>(dimension_);
    auto threads = static_cast<unsigned>(thread_count(options_.threads, "IndexOptions::threads"));
    threads = static_cast<unsigned>(std::min<size_t>(threads, n));
    // hnswlib's insertion is thread-safe; threads take rows in turn.
    std::atomic<size_t> next{0};
    auto insert = [&] {
      for (size_t i; (i = next++) < n;)
        graph_->addPoint(vectors.data() + i * dim, static_cast<hnswlib::labeltype>(labels[i]));
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(insert);
    insert();
    for (auto& t : pool) t.join();
  }

  bool remove(std::span<const int64_t> labels) override {
    std::vector<hnswlib::labeltype> present;
    for (const int64_t label : labels) {
      const auto found = graph_->label_lookup_.find(static_cast<hnswlib::labeltype>(label));
      if (found != graph_->label_lookup_.end() && !graph_->isMarkedDeleted(found->second))
        present.push_back(found->first);
    }
    std::sort(present.begin(), present.end());
    present.erase(std::unique(present.begin(), present.end()), present.end());
    // Marked points still route searches: past half the graph, a new one is cheaper.
    if (2 * (graph_->num_deleted_ + present.size()) > graph_->cur_element_count) return false;
    for (const auto label : present) graph_->markDelete(label);
    return true;
  }

  std::vector<Neighbor> search(std::span<const float> query, int k) const override {
    index_detail::check_query(name(), dimension_, query);
    if (k <= 0) return {};
    // hnswlib searches with max(ef_search, k) candidates.
    auto found = graph_->searchKnn(query.data(), static_cast<size_t>(k));
    std::vector<Neighbor> out(found.size());
    for (size_t i = out.size(); i-- > 0; found.pop())
      out[i] = {static_cast<int64_t>(found.top().second), found.top().first};
    return out;
  }

  int64_t size() const override {
    return static_cast<int64_t>(graph_->cur_element_count - graph_->num_deleted_);
  }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override {
    // Level-0 block (vector, links, label per element) plus the upper levels' links.
    size_t bytes = graph_->max_elements_ * graph_->size_data_per_element_;
    for (size_t i = 0; i < graph_->cur_element_count; ++i)
      bytes += graph_->element_levels_[i] * graph_->size_links_per_element_;
    return bytes;
  }
  std::string name() const override { return "hnsw"; }

 private:
  int dimension_;
  IndexSpace space_;
  IndexOptions options_;
  std::unique_ptr<KernelSpace> metric_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
};

}  // namespace

std::unique_ptr<Index> make_hnsw_index(int dimension, IndexSpace space, const IndexOptions& options) {
  return std::make_unique<HnswIndex>(dimension, space, options);
}

}  // namespace facekit
