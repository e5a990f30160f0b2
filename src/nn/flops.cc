#include "facekit/nn/flops.h"

namespace facekit::nn {

int64_t count_flops(const Graph& graph, const std::vector<Shape>& shapes) {
  int64_t flops = 0;
  auto numel = [](const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d < 0 ? 1 : d;
    return n;
  };
  for (const Node& node : graph.nodes) {
    if (node.inputs.size() < 2 || node.inputs[1] < 0 || node.outputs.empty()) continue;
    const Shape& out = shapes[node.outputs[0]];
    const Shape& w = shapes[node.inputs[1]];
    if (node.op == "Conv" && w.size() == 4) {
      flops += 2 * numel(out) * w[1] * w[2] * w[3];  // each output: KH·KW·(I/group) MACs
    } else if (node.op == "Dense" && w.size() == 2) {
      flops += 2 * numel(out) * w[1];
    } else if (node.op == "MatMul" && w.size() >= 2) {
      flops += 2 * numel(out) * w[w.size() - 2];
    }
  }
  return flops;
}

}  // namespace facekit::nn
