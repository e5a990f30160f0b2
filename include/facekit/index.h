// Nearest-neighbour search over embeddings, behind one interface:
//   exact       brute force over one contiguous row-major float array (SIMD
//               kernels chosen at run time for AVX-512, AVX2+FMA or baseline)
//   exact-fp16  the same over rows stored as IEEE float16: half the memory
//               and memory traffic, distances within ~1e-3 of exact
//   exact-int8  the same over rows stored as int8 with one scale per row
//               (symmetric: scale = max|xᵢ| / 127): a quarter of the
//               memory and traffic. The query stays float32; each value of a
//               row moves by at most s/2 (s its scale), so a distance moves
//               by at most (s/2)·‖q‖₁ (inner product) or s·‖q − x‖₁ + n·s²/4
//               (squared L2, n the dimension): ~1e-2 for unit face
//               embeddings, ~5e-4 RMS in practice
//   hnsw        approximate: a hierarchical navigable small-world graph
//               (hnswlib), sub-linear queries at a small loss of recall
// An index knows vectors and integer labels only; who a label is belongs to
// the caller (identify.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace facekit {

// How an index measures distance. Smaller is nearer in both.
enum class IndexSpace {
  kInnerProduct,  // 1 − a·b: the cosine distance when the vectors are unit length
  kL2,            // squared Euclidean distance
};

struct Neighbor {
  int64_t label = 0;
  float distance = 0;
};

class Index {
 public:
  virtual ~Index() = default;
  // Adds vectors.size() / dimension() vectors (row-major) with one label
  // each. Throws Error naming the index when the sizes disagree or a value
  // is not finite (exact-fp16: or beyond ±65504).
  virtual void add(std::span<const float> vectors, std::span<const int64_t> labels) = 0;
  // The k stored vectors nearest to `query`, nearest first; all of them when
  // fewer are stored, none for k ≤ 0. Safe to call from several threads at
  // once (not during add). Throws Error for a query of the wrong dimension
  // or holding NaN or infinity.
  virtual std::vector<Neighbor> search(std::span<const float> query, int k) const = 0;
  virtual int64_t size() const = 0;
  virtual int dimension() const = 0;
  virtual IndexSpace space() const = 0;
  // Bytes held for the vectors and the search structure.
  virtual size_t memory_bytes() const = 0;
  virtual std::string name() const = 0;
};

struct IndexOptions {
  // hnsw: links per node, candidate list while building and while searching
  // (search uses max(ef_search, k)). Larger: better recall, slower.
  int hnsw_m = 32;
  int hnsw_ef_construction = 200;
  int hnsw_ef_search = 128;
  // Threads that insert in parallel while building (hnsw); 0 = all cores;
  // at most max_threads() (limits.h).
  int threads = 1;
};

// "exact" | "exact-fp16" | "exact-int8" | "hnsw". Throws Error listing the known names for another, or
// for a dimension < 1.
std::unique_ptr<Index> make_index(const std::string& name, int dimension, IndexSpace space,
                                  const IndexOptions& options = {});
std::vector<std::string> index_names();

}  // namespace facekit
