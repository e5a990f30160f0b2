// The index registry.
#include "facekit/error.h"
#include "facekit/index.h"
#include "gallery/exact_index.h"
#include "gallery/hnsw_index.h"

namespace facekit {

std::vector<std::string> index_names() { return {"exact", "exact-fp16", "exact-int8", "hnsw"}; }

std::unique_ptr<Index> make_index(const std::string& name, int dimension, IndexSpace space,
                                  const IndexOptions& options) {
  check(dimension >= 1, "index " + name, "dimension must be at least 1, got " + std::to_string(dimension));
  if (name == "exact") return std::make_unique<ExactIndex<float>>(dimension, space);
  if (name == "exact-fp16") return std::make_unique<ExactIndex<uint16_t>>(dimension, space);
  if (name == "exact-int8") return std::make_unique<ExactIndex<int8_t>>(dimension, space);
  if (name == "hnsw") return make_hnsw_index(dimension, space, options);
  std::string known;
  for (const auto& n : index_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown index " + name + " (known: " + known + ")");
}

}  // namespace facekit
