// Add(Conv(x), z) with z of the Conv output's shape (a residual connection)
// → Conv(x, ..., Z = z): the fast executor adds z inside the convolution
// (a oneDNN post-op) instead of in a separate pass over memory, and the
// activation after the Add then fuses into the Conv as well.
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

constexpr size_t kResidualInput = 4;

// The operand of Add node `add` other than `y`, when it can be the residual
// of the Conv producing `y`: same dtype and the same shape (unknown dims in
// the same places), so the Add does not broadcast it.
int residual_operand(const Graph& g, const Node& add, int y) {
  if (add.op != "Add" || add.inputs.size() != 2 || add.outputs.size() != 1) return -1;
  const int z = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
  if (z < 0 || z == y || (add.inputs[0] != y && add.inputs[1] != y)) return -1;
  const Value &zv = g.values[z], &yv = g.values[y];
  if (zv.dtype != DType::kFloat32 || zv.shape != yv.shape || g.values[add.outputs[0]].shape != yv.shape) return -1;
  return z;
}

}  // namespace

void fuse_conv_residual(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    Node& conv = g.nodes[n];
    if (conv.op != "Conv" || conv.outputs.size() != 1 || conv.inputs.size() > kResidualInput) continue;
    if (!conv.attrs.s("activation", "").empty()) continue;  // act(conv) + z is not act(conv + z)
    const int y = conv.outputs[0];
    const int r = idx.sole_reader(y);
    if (r < 0 || dead[r]) continue;
    const int z = residual_operand(g, g.nodes[r], y);
    if (z < 0) continue;
    conv.inputs.resize(kResidualInput + 1, -1);
    conv.inputs[kResidualInput] = z;
    conv.outputs = g.nodes[r].outputs;
    dead[r] = 1;
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
