#include "gallery/faiss/kernel_flat.h"

#include <faiss/impl/FaissAssert.h>
#include <faiss/utils/Heap.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gallery/kernels.h"

namespace facekit::faiss_detail {

namespace {

// From this many queries a search is one matrix product per block of them.
constexpr size_t kQueriesForProduct = 32;
constexpr size_t kProductBlock = 256;

}  // namespace

void KernelFlat::search(FaissId n, const float* x, FaissId k, float* distances, FaissId* labels,
                        const faiss::SearchParameters*) const {
  const bool similarity = metric_type == faiss::METRIC_INNER_PRODUCT;
  const auto rows = static_cast<size_t>(ntotal);
  const auto dim = static_cast<size_t>(d);
  const auto kept = static_cast<size_t>(k);
  // The k best of query q's scores into its rows of `distances` and
  // `labels`, on FAISS's heaps: a min-heap of the largest similarities or a
  // max-heap of the smallest distances, sorted at the end.
  auto select = [&](size_t q, const float* scores) {
    float* out_distances = distances + q * kept;
    FaissId* out_labels = labels + q * kept;
    if (similarity) {
      faiss::minheap_heapify(kept, out_distances, out_labels);
      for (size_t i = 0; i < rows; ++i)
        if (scores[i] > out_distances[0])
          faiss::minheap_replace_top(kept, out_distances, out_labels, scores[i], static_cast<FaissId>(i));
      faiss::minheap_reorder(kept, out_distances, out_labels);
    } else {
      faiss::maxheap_heapify(kept, out_distances, out_labels);
      for (size_t i = 0; i < rows; ++i)
        if (scores[i] < out_distances[0])
          faiss::maxheap_replace_top(kept, out_distances, out_labels, scores[i], static_cast<FaissId>(i));
      faiss::maxheap_reorder(kept, out_distances, out_labels);
    }
  };
  const auto queries = static_cast<size_t>(n);
  if (queries >= kQueriesForProduct && rows > 0) {
    // Many queries (training, adding): a block of them against every row as
    // one matrix product on oneDNN, threaded by OpenMP (‖q − x‖² is
    // ‖q‖² − 2·q·x + ‖x‖², precise enough to pick cells).
    std::vector<float> squared_norms(similarity ? 0 : rows);
    for (size_t i = 0; i < squared_norms.size(); ++i)
      squared_norms[i] = kernels::dot(get_xb() + i * dim, get_xb() + i * dim, dim);
    std::vector<float> scores(kProductBlock * rows);
    for (size_t first = 0; first < queries; first += kProductBlock) {
      const size_t block = std::min(kProductBlock, queries - first);
      const auto status = dnnl_sgemm('N', 'T', static_cast<dnnl_dim_t>(block), static_cast<dnnl_dim_t>(rows),
                                     static_cast<dnnl_dim_t>(dim), 1.f, x + first * dim, static_cast<dnnl_dim_t>(dim),
                                     get_xb(), static_cast<dnnl_dim_t>(dim), 0.f, scores.data(),
                                     static_cast<dnnl_dim_t>(rows));
      FAISS_THROW_IF_NOT_MSG(status == dnnl_success, "oneDNN's matrix product failed");
      for (size_t q = 0; q < block; ++q) {
        float* row_scores = scores.data() + q * rows;
        if (!similarity) {
          const float* query = x + (first + q) * dim;
          const float query_norm = kernels::dot(query, query, dim);
          for (size_t i = 0; i < rows; ++i) row_scores[i] = query_norm - 2 * row_scores[i] + squared_norms[i];
        }
        select(first + q, row_scores);
      }
    }
    return;
  }
  // Few queries (a search): the kernels, query by query.
  std::vector<float> scores(rows);
  for (size_t q = 0; q < queries; ++q) {
    if (similarity) kernels::dot_rows(x + q * dim, get_xb(), rows, dim, scores.data());
    else kernels::squared_l2_rows(x + q * dim, get_xb(), rows, dim, scores.data());
    select(q, scores.data());
  }
}

namespace {

class KernelDistance : public faiss::FlatCodesDistanceComputer {
 public:
  KernelDistance(const KernelFlat& index)
      : faiss::FlatCodesDistanceComputer(index.codes.data(), index.code_size),
        rows_(index.get_xb()),
        dimension_(static_cast<size_t>(index.d)),
        similarity_(index.metric_type == faiss::METRIC_INNER_PRODUCT) {}
  void set_query(const float* query) override { query_ = query; }
  float distance_to_code(const uint8_t* code) override { return between(query_, reinterpret_cast<const float*>(code)); }
  float symmetric_dis(FaissId i, FaissId j) override {
    return between(rows_ + static_cast<size_t>(i) * dimension_, rows_ + static_cast<size_t>(j) * dimension_);
  }

 private:
  float between(const float* a, const float* b) const {
    return similarity_ ? kernels::dot(a, b, dimension_) : kernels::squared_l2(a, b, dimension_);
  }
  const float* rows_;
  size_t dimension_;
  bool similarity_;
  const float* query_ = nullptr;
};

class KernelScanner : public faiss::InvertedListScanner {
 public:
  KernelScanner(size_t dimension, bool similarity, bool store_pairs)
      : faiss::InvertedListScanner(store_pairs), dimension_(dimension) {
    keep_max = similarity;
    code_size = dimension * sizeof(float);
  }
  void set_query(const float* query) override { query_ = query; }
  void set_list(FaissId list, float) override { list_no = list; }
  float distance_to_code(const uint8_t* code) const override {
    float out;
    distances(code, 1, &out);
    return out;
  }
  size_t scan_codes(size_t n, const uint8_t* codes, const FaissId* ids, float* heap_distances, FaissId* heap_labels,
                    size_t k) const override {
    scores_.resize(n);
    distances(codes, n, scores_.data());
    size_t updates = 0;
    for (size_t i = 0; i < n; ++i) {
      const float s = scores_[i];
      if (keep_max ? s <= heap_distances[0] : s >= heap_distances[0]) continue;
      const FaissId id = store_pairs ? (list_no << 32 | static_cast<FaissId>(i)) : ids[i];
      if (keep_max) faiss::minheap_replace_top(k, heap_distances, heap_labels, s, id);
      else faiss::maxheap_replace_top(k, heap_distances, heap_labels, s, id);
      ++updates;
    }
    return updates;
  }

 private:
  void distances(const uint8_t* codes, size_t n, float* out) const {
    const auto* rows = reinterpret_cast<const float*>(codes);
    if (keep_max) kernels::dot_rows(query_, rows, n, dimension_, out);
    else kernels::squared_l2_rows(query_, rows, n, dimension_, out);
  }
  size_t dimension_;
  const float* query_ = nullptr;
  mutable std::vector<float> scores_;
};

}  // namespace

faiss::FlatCodesDistanceComputer* KernelFlat::get_FlatCodesDistanceComputer() const {
  return new KernelDistance(*this);
}

faiss::InvertedListScanner* KernelIvfFlat::get_InvertedListScanner(bool store_pairs,
                                                                   const faiss::IDSelector* selector) const {
  if (selector) return faiss::IndexIVFFlat::get_InvertedListScanner(store_pairs, selector);
  return new KernelScanner(static_cast<size_t>(d), metric_type == faiss::METRIC_INNER_PRODUCT, store_pairs);
}

}  // namespace facekit::faiss_detail
