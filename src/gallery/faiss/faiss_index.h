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

// Sets the cells a faiss-ivf-* index (made by make_faiss_index) scans per
// query from now on, so that a benchmark sweeps it on one built index. Not
// while another thread searches. Throws Error for another index or a count
// < 1.
void set_faiss_nprobe(Index& index, int nprobe);

}  // namespace facekit
