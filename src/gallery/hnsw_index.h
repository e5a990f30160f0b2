// The approximate index (see index.h), on hnswlib.
#pragma once

#include <memory>

#include "facekit/index.h"

namespace facekit {

std::unique_ptr<Index> make_hnsw_index(int dimension, IndexSpace space, const IndexOptions& options);

}  // namespace facekit
