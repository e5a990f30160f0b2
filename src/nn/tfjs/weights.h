// TensorFlow.js weight manifests: shared by the graph-model loader and the
// face-api weight sets.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/nn/tensor.h"

namespace facekit::nn::tfjs {

struct NamedWeight {
  std::string name;
  Tensor tensor;  // float32, or int32 for int32 weights
};

// Reads the weights of a manifest — a JSON array of groups
// {"paths": [shard files], "weights": [{name, shape, dtype, quantization?}]} —
// from the shards in `dir`. Dequantises uint8/uint16 affine (q·scale + min)
// and float16 to float32. Throws Error naming `context` (the manifest file)
// for missing or short shards, unknown dtypes and absurd shapes; never reads
// past a shard's end.
std::vector<NamedWeight> read_weights(const nlohmann::json& manifest, const std::filesystem::path& dir,
                                      const std::string& context);

}  // namespace facekit::nn::tfjs
