// Conv/Dense followed by an activation → the node's fused `activation`
// attribute, so that the fast executor applies it while the output is still
// in cache (a oneDNN post-op) instead of in a second pass over memory.
#include <algorithm>
#include <limits>

#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

// Clip's bound from input `i` (when present, must be a scalar constant) or
// attribute `attr`; nullopt when it is not known at load time.
std::optional<double> clip_bound(const Graph& g, const Node& clip, size_t i, const char* attr, double def) {
  if (clip.inputs.size() > i && clip.inputs[i] >= 0) {
    const auto s = scalar_constant(g, clip.inputs[i]);
    if (!s) return std::nullopt;
    return *s;
  }
  return clip.attrs.f(attr, def);
}

// Sets `conv`'s activation from activation node `act`; false when `act` is
// not a fusable activation (conv is then unchanged). A Prelu slope becomes
// a new [channels] constant input 3.
bool fuse_into(Graph& g, Node& conv, const Node& act, const ChannelAxis& ch) {
  Attributes& a = conv.attrs;
  if (act.op == "Relu" || act.op == "Sigmoid" || act.op == "Tanh") {
    if (act.inputs.size() != 1) return false;
    a.set("activation", act.op);
  } else if (act.op == "LeakyRelu") {
    a.set("activation", std::string("LeakyRelu"));
    a.set("alpha", act.attrs.f("alpha", 0.01));  // the standalone op's default
  } else if (act.op == "Clip") {
    const double inf = std::numeric_limits<double>::infinity();
    const auto lo = clip_bound(g, act, 1, "min", -inf), hi = clip_bound(g, act, 2, "max", inf);
    if (!lo || !hi) return false;
    if (*lo == 0.0 && *hi == 6.0) {
      a.set("activation", std::string("Relu6"));
    } else {
      a.set("activation", std::string("Clip"));
      a.set("clip_min", *lo);
      a.set("clip_max", *hi);
    }
  } else if (act.op == "Prelu") {
    const Tensor* s = act.inputs.size() == 2 ? float_constant(g, act.inputs[1]) : nullptr;
    const auto slope = s ? per_channel_values(*s, ch.rank, ch.axis, ch.channels) : std::nullopt;
    if (!slope) return false;
    const int id = g.add_constant(g.values[act.outputs[0]].name + "/slope",
                                  Tensor::from_floats({ch.channels}, *slope));
    if (conv.inputs.size() < 4) conv.inputs.resize(4, -1);
    conv.inputs[3] = id;
    a.set("activation", std::string("Prelu"));
  } else {
    return false;
  }
  return true;
}

// The clamp [lo, hi] a Relu / Relu6 / Clip activation or node applies, or
// nullopt for other activations.
struct Clamp {
  double lo, hi;
};
std::optional<Clamp> clamp_of_activation(const Attributes& a) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::string act = a.s("activation", "");
  if (act == "Relu") return Clamp{0, inf};
  if (act == "Relu6") return Clamp{0, 6};
  if (act == "Clip") return Clamp{a.f("clip_min", -inf), a.f("clip_max", inf)};
  return std::nullopt;
}
std::optional<Clamp> clamp_of_node(const Graph& g, const Node& n) {
  const double inf = std::numeric_limits<double>::infinity();
  if (n.op == "Relu" && n.inputs.size() == 1) return Clamp{0, inf};
  if (n.op != "Clip") return std::nullopt;
  const auto lo = clip_bound(g, n, 1, "min", -inf), hi = clip_bound(g, n, 2, "max", inf);
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return Clamp{*lo, *hi};
}

// A clamp activation followed by a clamp node is one clamp: b(a(x)) =
// clamp(x, b(a.lo), b(a.hi)) (faceres' relu6 arrives as Relu(Min(Relu(x), 6))).
// After a clamp to [lo ≥ 0, hi], Prelu and LeakyRelu are the identity (TF's
// remapper leaves PReLU arithmetic behind convs it fused with Relu).
bool compose_clamps(const Graph& g, Attributes& a, const Node& next) {
  const auto first = clamp_of_activation(a);
  if (!first || first->lo > first->hi) return false;
  if ((next.op == "Prelu" || next.op == "LeakyRelu") && first->lo >= 0) return true;
  const auto second = clamp_of_node(g, next);
  if (!second) return false;
  auto clamp = [&](double v) { return std::min(std::max(v, second->lo), second->hi); };
  const double lo = clamp(first->lo), hi = clamp(first->hi);
  if (lo == 0 && hi == std::numeric_limits<double>::infinity()) {
    a.set("activation", std::string("Relu"));
  } else if (lo == 0 && hi == 6) {
    a.set("activation", std::string("Relu6"));
  } else {
    a.set("activation", std::string("Clip"));
    a.set("clip_min", lo);
    a.set("clip_max", hi);
  }
  return true;
}

}  // namespace

void fuse_conv_activation(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const auto ch = output_channels(g, g.nodes[n]);
    if (!ch) continue;
    // Absorb activations (and further clamps after a clamp) while they are the
    // output's only reader.
    while (true) {
      const int y = g.nodes[n].outputs[0];
      const int r = idx.sole_reader(y);
      if (r < 0 || dead[r] || g.nodes[r].inputs.empty() || g.nodes[r].inputs[0] != y) break;
      if (g.nodes[r].outputs.size() != 1 || g.values[g.nodes[r].outputs[0]].shape != g.values[y].shape) break;
      const Node act = g.nodes[r];  // a copy: fuse_into may grow g.values, not g.nodes
      const bool fused = g.nodes[n].attrs.s("activation", "").empty() ? fuse_into(g, g.nodes[n], act, *ch)
                                                                       : compose_clamps(g, g.nodes[n].attrs, act);
      if (!fused) break;
      g.nodes[n].outputs = act.outputs;
      dead[r] = 1;
    }
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
