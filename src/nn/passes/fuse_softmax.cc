// Decomposed softmax → Softmax. TFLite converters (MTCNN) emit
//   m = ReduceMax(x, axis, keepdims); e = Exp(x − m); y = e / ReduceSum(e, axis, keepdims)
// which is exactly Softmax(x, axis).
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

// The single axis a keepdims reduction node reduces over x of rank `rank`,
// or nullopt (several axes, no keepdims, axes not constant).
std::optional<int64_t> single_axis(const Graph& g, const Node& n, int rank) {
  if (n.attrs.i("keepdims", 1) == 0 || rank <= 0) return std::nullopt;
  std::vector<int64_t> axes;
  if (n.inputs.size() >= 2 && n.inputs[1] >= 0) {
    const auto& c = g.values[n.inputs[1]].constant;
    if (!c) return std::nullopt;
    axes = c->to_int64();
  } else {
    axes = n.attrs.ints("axes", {});
  }
  if (axes.size() != 1 || axes[0] < -rank || axes[0] >= rank) {
    // A rank-1 input reduced over "all axes" is a single-axis reduction too.
    if (axes.empty() && rank == 1 && n.attrs.i("noop_with_empty_axes", 0) == 0) return 0;
    return std::nullopt;
  }
  return axes[0] < 0 ? axes[0] + rank : axes[0];
}

}  // namespace

void fuse_softmax(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    const Node& div = g.nodes[a];
    if (div.op != "Div" || div.inputs.size() != 2) continue;
    const int e = div.inputs[0];
    const int sum = idx.producer(div.inputs[1]);
    const int exp = idx.producer(e);
    if (op_of(g, sum) != "ReduceSum" || op_of(g, exp) != "Exp" || g.nodes[sum].inputs[0] != e) continue;
    const int sub = idx.producer(g.nodes[exp].inputs[0]);
    if (op_of(g, sub) != "Sub" || g.nodes[sub].inputs.size() != 2) continue;
    const int x = g.nodes[sub].inputs[0];
    const int max = idx.producer(g.nodes[sub].inputs[1]);
    if (op_of(g, max) != "ReduceMax" || g.nodes[max].inputs[0] != x) continue;
    const int rank = static_cast<int>(g.values[x].shape.size());
    const auto axis_max = single_axis(g, g.nodes[max], rank);
    const auto axis_sum = single_axis(g, g.nodes[sum], rank);
    if (!axis_max || axis_max != axis_sum) continue;
    const std::vector<int> members = {max, sub, exp, sum, static_cast<int>(a)};
    bool ok = g.values[div.outputs[0]].shape == g.values[x].shape;
    for (int v : {g.nodes[max].outputs[0], g.nodes[sub].outputs[0], e, g.nodes[sum].outputs[0]})
      ok &= idx.private_to(v, members);
    for (int n : members) ok &= !dead[n];
    if (!ok) continue;
    dead[max] = dead[sub] = dead[exp] = dead[sum] = 1;
    Attributes attrs;
    attrs.set("axis", *axis_max);
    g.nodes[a] = Node{"Softmax", div.name, {x}, {div.outputs[0]}, attrs};
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
