// The index registry.
#include "facekit/error.h"
#include "facekit/index.h"
#include "gallery/auto_index.h"
#include "gallery/exact_index.h"
#include "gallery/hnsw_index.h"
#ifdef FACEKIT_HAVE_FAISS
#include "gallery/faiss/faiss_index.h"
#endif

namespace facekit {

std::vector<std::string> index_names() {
  return {"exact", "exact-fp16", "exact-int8", "hnsw", "auto",
#ifdef FACEKIT_HAVE_FAISS
          "faiss-ivf-flat", "faiss-ivf-pq", "faiss-hnsw",
#endif
  };
}

std::unique_ptr<Index> make_index(const std::string& name, int dimension, IndexSpace space,
                                  const IndexOptions& options) {
  check(dimension >= 1, "index " + name, "dimension must be at least 1, got " + std::to_string(dimension));
  if (name == "exact") return std::make_unique<ExactIndex<float>>(dimension, space);
  if (name == "exact-fp16") return std::make_unique<ExactIndex<uint16_t>>(dimension, space);
  if (name == "exact-int8") return std::make_unique<ExactIndex<int8_t>>(dimension, space);
  if (name == "hnsw") return make_hnsw_index(dimension, space, options);
  if (name == "auto") {
#ifdef FACEKIT_HAVE_FAISS
    // The options of the kinds it may choose are checked now, not at the first add.
    try {
      make_faiss_index(FaissKind::kIvfPq, dimension, space, options);
    } catch (const Error& e) {
      throw Error(std::string("auto index: ") + e.what());
    }
#endif
    return make_auto_index(dimension, space, options);
  }
#ifdef FACEKIT_HAVE_FAISS
  if (name == "faiss-ivf-flat") return make_faiss_index(FaissKind::kIvfFlat, dimension, space, options);
  if (name == "faiss-ivf-pq") return make_faiss_index(FaissKind::kIvfPq, dimension, space, options);
  if (name == "faiss-hnsw") return make_faiss_index(FaissKind::kHnsw, dimension, space, options);
#endif
  std::string known;
  for (const auto& n : index_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown index " + name + " (known: " + known + ")");
}

}  // namespace facekit
