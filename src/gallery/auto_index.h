// The "auto" index (see index.h): the kind chosen from the gallery's size at
// its first add.
#pragma once

#include <memory>

#include "facekit/index.h"

namespace facekit {

// The index "auto" picks for a first add of `count` vectors (index.h).
std::string auto_index_kind(size_t count);

std::unique_ptr<Index> make_auto_index(int dimension, IndexSpace space, const IndexOptions& options);

}  // namespace facekit
