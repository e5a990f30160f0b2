// The FAISS indexes. Positions in the FAISS index are insertion order (the
// IVF indexes get them as ids, so that they stay valid across removals);
// labels_ maps them to the caller's labels. A removed position is never
// reused.
#include "gallery/faiss/faiss_index.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "facekit/error.h"
#include "facekit/limits.h"
#include "gallery/faiss/kernel_flat.h"
#include "gallery/index_common.h"
#include "gallery/kernels.h"

namespace facekit {
namespace {

using faiss_detail::FaissId;
using faiss_detail::KernelFlat;

// FAISS's minimum of training vectors per k-means centroid (fewer: it warns).
constexpr size_t kPointsPerCentroid = 39;
// k-means: at most this many vectors per cell are sampled, this many rounds.
constexpr size_t kSampledPerCell = 50;
constexpr int kKmeansIterations = 10;
constexpr int kMaxCells = 65536;
// With faiss_nlist = 0, training waits for this many vectors: below it an
// exact scan is about as fast as the cells would be.
constexpr size_t kAutoTrainingSize = 10'000;

std::string kind_name(FaissKind kind) {
  switch (kind) {
    case FaissKind::kIvfFlat: return "faiss-ivf-flat";
    case FaissKind::kIvfPq: return "faiss-ivf-pq";
    case FaissKind::kHnsw: return "faiss-hnsw";
  }
  return "faiss";
}

// The largest divisor of `dimension` at most dimension / 8, or 1.
int auto_pq_m(int dimension) {
  for (int m = dimension / 8; m > 1; --m)
    if (dimension % m == 0) return m;
  return 1;
}

// The power of two nearest 4·√n, at most n / 39 and kMaxCells, at least 1.
int auto_nlist(size_t n) {
  int cells = 1 << static_cast<int>(std::lround(std::log2(4 * std::sqrt(static_cast<double>(n)))));
  cells = std::min(cells, kMaxCells);
  while (cells > 1 && static_cast<size_t>(cells) * kPointsPerCentroid > n) cells /= 2;
  return cells;
}

// omp_set_num_threads for the calling thread's FAISS calls, restored after.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ScopedOmpThreads() { omp_set_num_threads(saved_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int saved_;
};

// float16 rows by position, in blocks: growing never copies (or holds
// twice) what is stored, as one vector's reallocation would.
class HalfRows {
 public:
  explicit HalfRows(size_t dimension) : dimension_(dimension) {}
  void append(std::span<const float> values) {
    for (size_t i = 0; i < values.size(); i += dimension_) {
      if (rows_ % kBlockRows == 0) blocks_.emplace_back().reserve(kBlockRows * dimension_);
      for (size_t j = 0; j < dimension_; ++j) blocks_.back().push_back(kernels::float_to_half(values[i + j]));
      ++rows_;
    }
  }
  const uint16_t* row(size_t position) const {
    return blocks_[position / kBlockRows].data() + position % kBlockRows * dimension_;
  }
  size_t memory_bytes() const { return blocks_.size() * kBlockRows * dimension_ * sizeof(uint16_t); }

 private:
  static constexpr size_t kBlockRows = 65536;
  size_t dimension_;
  size_t rows_ = 0;
  std::vector<std::vector<uint16_t>> blocks_;
};

class FaissIndex : public Index {
 public:
  FaissIndex(FaissKind kind, int dimension, IndexSpace space, const IndexOptions& options)
      : kind_(kind), dimension_(dimension), space_(space), options_(options) {
    if (kind_ == FaissKind::kIvfPq && options_.faiss_pq_m == 0) options_.faiss_pq_m = auto_pq_m(dimension);
    if (kind_ == FaissKind::kHnsw) {
      auto hnsw = std::make_unique<faiss::IndexHNSW>(new KernelFlat(dimension, metric()), options_.hnsw_m);
      hnsw->own_fields = true;  // deletes its storage
      hnsw->hnsw.efConstruction = options_.hnsw_ef_construction;
      hnsw->hnsw.efSearch = options_.hnsw_ef_search;
      index_ = std::move(hnsw);
    }
  }

  void add(std::span<const float> vectors, std::span<const int64_t> labels) override {
    index_detail::check_add(name(), dimension_, vectors, labels);
    if (keeps_halves())
      for (float v : vectors)
        check(std::abs(v) <= 65504.f, name() + " index",
              "a value beyond float16's range (±65504), which its re-ranking copies cannot hold");
    const int threads = thread_count(options_.threads, "IndexOptions::threads");
    ScopedOmpThreads omp(threads);
    try {
      if (index_ && is_ivf()) {
        std::vector<FaissId> positions(labels.size());
        std::iota(positions.begin(), positions.end(), static_cast<FaissId>(labels_.size()));
        index_->add_with_ids(static_cast<FaissId>(labels.size()), vectors.data(), positions.data());
      } else if (index_) {
        index_->add(static_cast<FaissId>(labels.size()), vectors.data());
      } else {
        pending_.insert(pending_.end(), vectors.begin(), vectors.end());
        removed_.resize(labels_.size() + labels.size(), false);
        if (size() + labels.size() >= training_size()) train_on_pending();
      }
    } catch (const faiss::FaissException& e) {
      if (!index_) {  // as before the call
        pending_.resize(labels_.size() * static_cast<size_t>(dimension_));
        removed_.resize(labels_.size());
      }
      throw Error(name() + " index: FAISS failed while adding: " + e.what());
    }
    labels_.insert(labels_.end(), labels.begin(), labels.end());
    removed_.resize(labels_.size(), false);
    if (keeps_halves()) halves_.append(vectors);
  }

  bool remove(std::span<const int64_t> labels) override {
    if (!is_ivf()) return false;  // FAISS's HNSW cannot remove a point
    const std::unordered_set<int64_t> wanted(labels.begin(), labels.end());
    std::vector<FaissId> positions;
    for (size_t p = 0; p < labels_.size(); ++p)
      if (!removed_[p] && wanted.contains(labels_[p])) positions.push_back(static_cast<FaissId>(p));
    if (positions.empty()) return true;
    if (index_) {
      try {
        const faiss::IDSelectorBatch selected(positions.size(), positions.data());
        index_->remove_ids(selected);
      } catch (const faiss::FaissException& e) {
        throw Error(name() + " index: FAISS failed while removing: " + e.what());
      }
    }
    for (const FaissId p : positions) removed_[static_cast<size_t>(p)] = true;
    removed_count_ += positions.size();
    return true;
  }

  std::vector<Neighbor> search(std::span<const float> query, int k) const override {
    index_detail::check_query(name(), dimension_, query);
    if (k <= 0 || size() == 0) return {};
    const size_t wanted = std::min(static_cast<size_t>(k), static_cast<size_t>(size()));
    if (!index_) return exact_pending(query.data(), wanted);
    const size_t fetched = keeps_halves() ? std::min(std::max(wanted, static_cast<size_t>(options_.faiss_rerank)),
                                                     static_cast<size_t>(size()))
                                          : wanted;
    auto found = faiss_search(query.data(), fetched, false);
    // Probed cells holding fewer than k vectors: ask every cell.
    if (found.size() < wanted && is_ivf()) found = faiss_search(query.data(), fetched, true);
    if (keeps_halves()) {
      const auto dim = static_cast<size_t>(dimension_);
      for (auto& n : found) {
        const uint16_t* row = halves_.row(static_cast<size_t>(n.label));
        float value;
        if (space_ == IndexSpace::kInnerProduct) {
          kernels::dot_rows(query.data(), row, 1, dim, &value);
          value = 1 - value;
        } else {
          kernels::squared_l2_rows(query.data(), row, 1, dim, &value);
        }
        n.distance = value;
      }
      const auto nearer = [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; };
      const size_t kept = std::min(wanted, found.size());
      std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(kept), found.end(), nearer);
      found.resize(kept);
    }
    for (auto& n : found) n.label = labels_[static_cast<size_t>(n.label)];
    return found;
  }

  int64_t size() const override { return static_cast<int64_t>(labels_.size() - removed_count_); }
  int dimension() const override { return dimension_; }
  IndexSpace space() const override { return space_; }
  size_t memory_bytes() const override {
    size_t bytes = labels_.capacity() * sizeof(int64_t) + pending_.capacity() * sizeof(float) +
                   halves_.memory_bytes();
    if (quantizer_) bytes += quantizer_->codes.capacity();
    if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get())) {
      bytes += static_cast<size_t>(ivf->ntotal) * (ivf->code_size + sizeof(FaissId));
      if (const auto* pq = dynamic_cast<const faiss::IndexIVFPQ*>(ivf))
        bytes += (pq->pq.centroids.capacity() + pq->precomputed_table.size()) * sizeof(float);
    } else if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index_.get())) {
      bytes += static_cast<size_t>(hnsw->ntotal) * static_cast<size_t>(dimension_) * sizeof(float) +
               hnsw->hnsw.neighbors.capacity() * sizeof(faiss::HNSW::storage_idx_t) +
               (hnsw->hnsw.offsets.capacity() + hnsw->hnsw.levels.capacity()) * sizeof(size_t);
    }
    return bytes;
  }
  std::string name() const override { return kind_name(kind_); }
  void set_nprobe(int nprobe) {
    check(is_ivf() && nprobe >= 1, name() + " index", "cannot scan " + std::to_string(nprobe) + " cells per query");
    options_.faiss_nprobe = nprobe;
  }

 private:
  faiss::MetricType metric() const {
    return space_ == IndexSpace::kInnerProduct ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
  }
  bool is_ivf() const { return kind_ != FaissKind::kHnsw; }
  bool keeps_halves() const { return kind_ == FaissKind::kIvfPq && options_.faiss_rerank > 0; }

  // Vectors needed before training (index.h).
  size_t training_size() const {
    size_t needed = options_.faiss_nlist > 0 ? static_cast<size_t>(options_.faiss_nlist) * kPointsPerCentroid
                                             : kAutoTrainingSize;
    if (kind_ == FaissKind::kIvfPq) needed = std::max(needed, kPointsPerCentroid << options_.faiss_pq_bits);
    return needed;
  }

  // Learns the cells (and codebooks) from pending_, then moves it into FAISS.
  void train_on_pending() {
    const auto dim = static_cast<size_t>(dimension_);
    const size_t n = pending_.size() / dim;
    const int cells = options_.faiss_nlist > 0 ? options_.faiss_nlist : auto_nlist(n);
    auto quantizer = std::make_unique<KernelFlat>(dimension_, metric());
    std::unique_ptr<KernelFlat> codebook_assigner;
    std::unique_ptr<faiss::IndexIVF> ivf;
    if (kind_ == FaissKind::kIvfFlat) {
      ivf = std::make_unique<faiss_detail::KernelIvfFlat>(quantizer.get(), dim, static_cast<size_t>(cells), metric());
    } else {
      auto pq = std::make_unique<faiss::IndexIVFPQ>(quantizer.get(), dim, static_cast<size_t>(cells),
                                                    static_cast<size_t>(options_.faiss_pq_m),
                                                    static_cast<size_t>(options_.faiss_pq_bits), metric());
      codebook_assigner = std::make_unique<KernelFlat>(dimension_ / options_.faiss_pq_m, faiss::METRIC_L2);
      pq->pq.assign_index = codebook_assigner.get();
      pq->pq.cp.niter = kKmeansIterations;
      ivf = std::move(pq);
    }
    ivf->cp.niter = kKmeansIterations;
    ivf->cp.max_points_per_centroid = static_cast<int>(kSampledPerCell);
    // An evenly strided sample (a gallery is often stored person by person).
    const size_t sampled = std::min(n, std::max<size_t>(kSampledPerCell * static_cast<size_t>(cells),
                                                        kPointsPerCentroid << options_.faiss_pq_bits));
    std::vector<float> sample(sampled * dim);
    for (size_t i = 0; i < sampled; ++i) {
      const size_t row = i * n / sampled;
      std::copy_n(pending_.data() + row * dim, dim, sample.data() + i * dim);
    }
    ivf->train(static_cast<FaissId>(sampled), sample.data());
    std::vector<FaissId> positions;  // the rows not removed meanwhile (copied only when some were)
    std::vector<float> kept;
    for (size_t p = 0; p < n; ++p)
      if (!removed_[p]) {
        positions.push_back(static_cast<FaissId>(p));
        if (removed_count_ > 0)
          kept.insert(kept.end(), pending_.begin() + static_cast<std::ptrdiff_t>(p * dim),
                      pending_.begin() + static_cast<std::ptrdiff_t>((p + 1) * dim));
      }
    ivf->add_with_ids(static_cast<FaissId>(positions.size()), removed_count_ > 0 ? kept.data() : pending_.data(),
                      positions.data());
    std::vector<float>().swap(pending_);
    nlist_ = cells;
    quantizer_ = std::move(quantizer);
    codebook_assigner_ = std::move(codebook_assigner);
    index_ = std::move(ivf);
  }

  // The `wanted` nearest of the untrained vectors not removed, by exact scan.
  std::vector<Neighbor> exact_pending(const float* query, size_t wanted) const {
    const auto dim = static_cast<size_t>(dimension_);
    std::vector<float> distances(labels_.size());
    if (space_ == IndexSpace::kInnerProduct) {
      kernels::dot_rows(query, pending_.data(), labels_.size(), dim, distances.data());
      for (float& d : distances) d = 1 - d;
    } else {
      kernels::squared_l2_rows(query, pending_.data(), labels_.size(), dim, distances.data());
    }
    std::vector<size_t> order;
    for (size_t p = 0; p < labels_.size(); ++p)
      if (!removed_[p]) order.push_back(p);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(wanted), order.end(),
                      [&](size_t a, size_t b) { return distances[a] < distances[b]; });
    std::vector<Neighbor> out(wanted);
    for (size_t i = 0; i < wanted; ++i) out[i] = {labels_[order[i]], distances[order[i]]};
    return out;
  }

  // FAISS's `count` nearest (labels are positions), valid ones only, with
  // distances in the index space; every cell when `all_cells`.
  std::vector<Neighbor> faiss_search(const float* query, size_t count, bool all_cells) const {
    std::vector<float> distances(count);
    std::vector<FaissId> positions(count);
    faiss::SearchParametersIVF ivf_params;
    faiss::SearchParametersHNSW hnsw_params;
    const faiss::SearchParameters* params = nullptr;
    if (is_ivf()) {
      const int nprobe = options_.faiss_nprobe > 0 ? options_.faiss_nprobe : std::max(1, nlist_ / 16);
      ivf_params.nprobe = static_cast<size_t>(all_cells ? nlist_ : std::min(nprobe, nlist_));
      params = &ivf_params;
    } else {
      hnsw_params.efSearch = std::max(options_.hnsw_ef_search, static_cast<int>(count));
      params = &hnsw_params;
    }
    try {
      index_->search(1, query, static_cast<FaissId>(count), distances.data(), positions.data(), params);
    } catch (const faiss::FaissException& e) {
      throw Error(name() + " index: FAISS failed while searching: " + e.what());
    }
    std::vector<Neighbor> out;
    out.reserve(count);
    for (size_t i = 0; i < count && positions[i] >= 0; ++i)
      out.push_back({positions[i], space_ == IndexSpace::kInnerProduct ? 1 - distances[i] : distances[i]});
    return out;
  }

  FaissKind kind_;
  int dimension_;
  IndexSpace space_;
  IndexOptions options_;
  int nlist_ = 0;                       // cells, once trained
  std::vector<int64_t> labels_;         // by position
  std::vector<bool> removed_;           // by position
  size_t removed_count_ = 0;
  std::vector<float> pending_;          // rows not yet in FAISS (before training)
  HalfRows halves_{static_cast<size_t>(dimension_)};  // faiss-ivf-pq: for re-ranking
  std::unique_ptr<KernelFlat> quantizer_, codebook_assigner_;  // used by index_: declared before it
  std::unique_ptr<faiss::Index> index_;
};

void check_options(FaissKind kind, int dimension, const IndexOptions& o) {
  const std::string index = kind_name(kind) + " index";
  const auto at_least = [&](int value, int least, const char* option) {
    check(value >= least, index, std::string(option) + " must be at least " + std::to_string(least) + ", got " +
                                     std::to_string(value));
  };
  if (kind == FaissKind::kHnsw) {
    at_least(o.hnsw_m, 2, "hnsw_m");
    at_least(o.hnsw_ef_construction, 1, "hnsw_ef_construction");
    at_least(o.hnsw_ef_search, 1, "hnsw_ef_search");
    return;
  }
  at_least(o.faiss_nlist, 0, "faiss_nlist");
  check(o.faiss_nlist <= kMaxCells, index, "faiss_nlist must be at most " + std::to_string(kMaxCells) + ", got " +
                                               std::to_string(o.faiss_nlist));
  at_least(o.faiss_nprobe, 0, "faiss_nprobe");
  if (kind == FaissKind::kIvfPq) {
    at_least(o.faiss_pq_m, 0, "faiss_pq_m");
    check(o.faiss_pq_m == 0 || dimension % o.faiss_pq_m == 0, index,
          "faiss_pq_m " + std::to_string(o.faiss_pq_m) + " does not divide the dimension " + std::to_string(dimension));
    check(o.faiss_pq_bits >= 1 && o.faiss_pq_bits <= 16, index,
          "faiss_pq_bits must be 1 to 16, got " + std::to_string(o.faiss_pq_bits));
    at_least(o.faiss_rerank, 0, "faiss_rerank");
  }
}

}  // namespace

void set_faiss_nprobe(Index& index, int nprobe) {
  auto* faiss = dynamic_cast<FaissIndex*>(&index);
  check(faiss != nullptr, index.name() + " index", "is not a FAISS index");
  faiss->set_nprobe(nprobe);
}

std::unique_ptr<Index> make_faiss_index(FaissKind kind, int dimension, IndexSpace space, const IndexOptions& options) {
  check_options(kind, dimension, options);
  thread_count(options.threads, "IndexOptions::threads");  // a negative count: refused now, not at the first add
  return std::make_unique<FaissIndex>(kind, dimension, space, options);
}

}  // namespace facekit
