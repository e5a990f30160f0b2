// Clamps written as Max/Min with scalar constants (TF's relu6 arrives as
// Minimum(Maximum(x, 0), 6)) → Clip, and Max(x, 0) → Relu, so that the conv
// activation pass can fuse them.
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

// For Max/Min(x, c) or (c, x) with scalar constant c: x and c.
bool clamp_operands(const Graph& g, const Node& n, const char* op, int* x, float* c) {
  if (n.op != op || n.inputs.size() != 2) return false;
  for (int k = 0; k < 2; ++k) {
    const auto s = scalar_constant(g, n.inputs[k]);
    if (s && !float_constant(g, n.inputs[1 - k])) {
      *x = n.inputs[1 - k];
      *c = *s;
      return true;
    }
  }
  return false;
}

// The broadcast of a scalar must not change x's shape.
bool keeps_shape(const Graph& g, int x, int y) { return g.values[x].shape == g.values[y].shape; }

}  // namespace

void fuse_clip(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  // First the two-sided clamps, so that their inner Max(x, 0) is still a Max.
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    const Node& outer = g.nodes[a];
    const bool outer_min = outer.op == "Min";
    int inner_in = -1;
    float outer_c = 0;
    if (!clamp_operands(g, outer, outer_min ? "Min" : "Max", &inner_in, &outer_c)) continue;
    const int y = outer.outputs[0];
    const int inner = idx.producer(inner_in);
    if (inner < 0 || dead[inner] || !idx.private_to(inner_in, {static_cast<int>(a)})) continue;
    int x = -1;
    float inner_c = 0;
    if (outer_min && g.nodes[inner].op == "Relu") {  // Min(Relu(x), hi)
      x = g.nodes[inner].inputs[0];
    } else if (!clamp_operands(g, g.nodes[inner], outer_min ? "Max" : "Min", &x, &inner_c)) {
      continue;
    }
    const float lo = outer_min ? inner_c : outer_c, hi = outer_min ? outer_c : inner_c;
    if (!(lo <= hi) || !keeps_shape(g, x, y)) continue;
    Attributes attrs;
    attrs.set("min", static_cast<double>(lo));
    attrs.set("max", static_cast<double>(hi));
    dead[inner] = 1;
    g.nodes[a] = Node{"Clip", outer.name, {x}, {y}, attrs};
  }
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    int x = -1;
    float c = 1;
    if (dead[a] || !clamp_operands(g, g.nodes[a], "Max", &x, &c) || c != 0.0f) continue;
    const int y = g.nodes[a].outputs[0];
    if (keeps_shape(g, x, y)) g.nodes[a] = Node{"Relu", g.nodes[a].name, {x}, {y}, {}};
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
