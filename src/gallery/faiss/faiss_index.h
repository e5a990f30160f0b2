// The FAISS indexes (see index.h): faiss-ivf-flat, faiss-ivf-pq (re-ranked
// on float16 copies) and faiss-hnsw, on Debian's libfaiss.
#pragma once

#include <memory>

#include "facekit/index.h"

namespace facekit {

enum class FaissKind { kIvfFlat, kIvfPq, kHnsw };

// Throws Error naming the index and the option for an option value out of
// range for `kind` at `dimension` (see IndexOptions).
std::unique_ptr<Index> make_faiss_index(FaissKind kind, int dimension, IndexSpace space, const IndexOptions& options);

}  // namespace facekit
