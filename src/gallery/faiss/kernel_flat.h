// FAISS's flat index and IVF-Flat lists searched with facekit's distance
// kernels (kernels.h: AVX-512 or AVX2 chosen at run time). Debian's libfaiss
// is built for baseline x86-64, where its distances are scalar loops, and
// searches a flat index of more than 20 queries through BLAS (the reference
// BLAS by default): as the coarse quantizer of an IVF index, the assignment
// index of its k-means and the scanner of IVF-Flat's lists these make
// training, adding and searching several times faster.
#pragma once

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>

namespace facekit::faiss_detail {

// FAISS's vector id (faiss::Index::idx_t in FAISS 1.7).
using FaissId = faiss::Index::idx_t;

struct KernelFlat : faiss::IndexFlat {
  // `dimension` ≥ 1; metric METRIC_L2 or METRIC_INNER_PRODUCT.
  KernelFlat(int dimension, faiss::MetricType metric) : faiss::IndexFlat(dimension, metric) {}
  // As faiss::IndexFlat::search: per query the k stored vectors nearest first
  // (squared L2 ascending, or inner product descending), label −1 and
  // distance ±infinity past ntotal. Many queries run as matrix products on
  // OpenMP's threads (omp_set_num_threads); `params` is ignored.
  void search(FaissId n, const float* x, FaissId k, float* distances, FaissId* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  // Distances as IndexFlat's (squared L2, or inner product), on the kernels:
  // what FAISS's HNSW computes over its storage. The caller owns it.
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override;
};

// IndexIVFFlat whose lists are scanned by the kernels (the same results as
// IndexIVFFlat's, up to float rounding).
struct KernelIvfFlat : faiss::IndexIVFFlat {
  using faiss::IndexIVFFlat::IndexIVFFlat;
  // A scanner on the kernels; FAISS's own when `selector` is set.
  faiss::InvertedListScanner* get_InvertedListScanner(bool store_pairs,
                                                      const faiss::IDSelector* selector) const override;
};

}  // namespace facekit::faiss_detail
