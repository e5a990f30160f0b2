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
// With FAISS (built when libfaiss-dev is installed; index_names() lists
// what this build has):
//   faiss-ivf-flat  inverted lists: k-means cells over the gallery, a query
//               scans the nearest faiss_nprobe cells; float vectors
//   faiss-ivf-pq    the same cells holding product-quantised codes
//               (faiss_pq_m bytes per vector at 8 bits); the best
//               faiss_rerank candidates are re-ranked on float16 copies of
//               the vectors (distances within ~1e-3 of exact, as exact-fp16)
//   faiss-hnsw  FAISS's HNSW graph (hnsw_m, hnsw_ef_*), float vectors
//   auto        chosen from the gallery's size at its first add: exact
//               below 50,000 vectors, hnsw to 2,000,000, faiss-ivf-pq
//               above (hnsw when built without FAISS); docs/scaling.md
//               gives the measurements behind the cut-offs
// Training (faiss-ivf-*): the cells (and the PQ codebooks) are learnt from
// the gallery itself, at the first add after which the index holds
// enough vectors: 39 per cell (faiss_nlist · 39; 10,000 when faiss_nlist is
// 0), and for faiss-ivf-pq at least 39 · 2^faiss_pq_bits, FAISS's own
// minimum. Until then the vectors
// are kept as floats and searched exactly, so a small gallery never gets a
// poorly trained index; vectors added after training go to the nearest
// cells of the trained ones. k-means runs 10 iterations on at most 50
// vectors per cell (a sample when there are more).
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
  // Removes in place every stored vector whose label is among `labels`
  // (labels not stored are ignored) and returns true; or returns false,
  // changing nothing, when this kind cannot (faiss-hnsw; hnsw once half its
  // graph would be removed points, which still cost search time): the
  // caller then builds a new index. Not while another thread searches.
  // exact*: the rows go; hnsw: the points are marked deleted (searches skip
  // them); faiss-ivf-*: removed from their cells (before training: dropped).
  virtual bool remove(std::span<const int64_t> labels) = 0;
  // The k stored vectors nearest to `query`, nearest first; all of them when
  // fewer are stored, none for k ≤ 0. Safe to call from several threads at
  // once (not during add or remove). Throws Error for a query of the wrong dimension
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
  // faiss-ivf-*: the number of cells; 0 = chosen at training from the
  // count n: the power of two nearest 4·√n, at most n / 39 and 65536.
  int faiss_nlist = 0;
  // faiss-ivf-*: cells scanned per query (all of them when there are
  // fewer); 0 = a sixteenth of the cells (at least 1). Larger: better
  // recall, slower (docs/scaling.md: face-like vectors need a large share).
  int faiss_nprobe = 0;
  // faiss-ivf-pq: sub-quantizers (must divide the dimension; 0 = the
  // largest divisor of the dimension at most dimension / 8, or 1) and bits
  // per sub-quantizer code (1 to 16).
  int faiss_pq_m = 0;
  int faiss_pq_bits = 8;
  // faiss-ivf-pq: candidates found by codes and re-ranked on the float16
  // copies (search re-ranks max(faiss_rerank, k)); 0 = no copies kept, the
  // codes' approximate distances returned.
  int faiss_rerank = 64;
  // Threads that insert in parallel while building (hnsw; faiss: training
  // and adding); 0 = all cores;
  // at most max_threads() (limits.h).
  int threads = 1;
};

// "exact" | "exact-fp16" | "exact-int8" | "hnsw" | "auto", and with FAISS
// "faiss-ivf-flat" | "faiss-ivf-pq" | "faiss-hnsw". Throws Error listing
// the known names for another, for a dimension < 1, or naming the index and
// the option for an option value out of range (faiss_pq_m not dividing the
// dimension, nprobe above nlist, a count < 0 or, hnsw_*, < 1).
std::unique_ptr<Index> make_index(const std::string& name, int dimension, IndexSpace space,
                                  const IndexOptions& options = {});
std::vector<std::string> index_names();

}  // namespace facekit
