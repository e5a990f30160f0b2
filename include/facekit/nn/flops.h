// Arithmetic cost of a graph: 2 FLOPs per multiply-accumulate of the
// convolutions and matrix products (elementwise work is not counted).
#pragma once

#include <cstdint>
#include <vector>

#include "facekit/nn/graph.h"

namespace facekit::nn {

// `shapes` are every value's shapes, e.g. from graph.infer_shapes(inputs).
int64_t count_flops(const Graph& graph, const std::vector<Shape>& shapes);

}  // namespace facekit::nn
