// Decomposed PReLU → Prelu. The converters that produced the zoo express
// PReLU(x) = x for x ≥ 0, a·x for x < 0 as a positive part plus a scaled
// negative part:
//   MTCNN (TFLite):          relu(x) + a·(−relu(−x))       slope = a
//   MobileFaceNet (TFLite):  relu(x) + k·(x − |x|)         slope = 2k
//   MXNet exports (TF):      max(x, 0) + a·min(x, 0)       slope = a
//   TF's remapper output:    x + k·(x − |x|)               slope = 1 + 2k
// (and the same with Sub instead of Add, negating the scaled part). The scale
// may be a chain of Muls by constants, of which at most one is a tensor.
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

struct Match {
  std::vector<int> nodes;      // the pattern's nodes other than the anchor
  std::vector<int> internal;   // values that must be private to the pattern
};

bool is_zero(const Graph& g, int value) {
  const auto z = scalar_constant(g, value);
  return z && *z == 0.0f;
}

// Max(x, 0), Max(0, x) or Relu(x): the positive part; returns x or -1.
int positive_part_of(const Graph& g, int node) {
  if (node < 0) return -1;
  const Node& n = g.nodes[node];
  if (n.op == "Relu" && n.inputs.size() == 1) return n.inputs[0];
  if (n.op == "Max" && n.inputs.size() == 2) {
    if (is_zero(g, n.inputs[1]) && !float_constant(g, n.inputs[0])) return n.inputs[0];
    if (is_zero(g, n.inputs[0]) && !float_constant(g, n.inputs[1])) return n.inputs[1];
  }
  return -1;
}

// Recognises a negative part of x: Relu(Neg(x)) = −min(x,0), Sub(x, Abs(x)) =
// 2·min(x,0), Min(x, 0) = min(x,0). Returns the factor f with
// value = f·min(x,0), appending the nodes it used to `m`.
std::optional<float> negative_part(const Graph& g, const GraphIndex& idx, int value, int x, Match& m) {
  const int p = idx.producer(value);
  if (p < 0) return std::nullopt;
  const Node& n = g.nodes[p];
  if (n.op == "Relu" && n.inputs.size() == 1) {
    const int neg = idx.producer(n.inputs[0]);
    if (op_of(g, neg) != "Neg" || g.nodes[neg].inputs[0] != x) return std::nullopt;
    m.nodes.insert(m.nodes.end(), {p, neg});
    m.internal.insert(m.internal.end(), {value, n.inputs[0]});
    return -1.0f;
  }
  if (n.op == "Sub" && n.inputs.size() == 2 && n.inputs[0] == x) {
    const int abs = idx.producer(n.inputs[1]);
    if (op_of(g, abs) != "Abs" || g.nodes[abs].inputs[0] != x) return std::nullopt;
    m.nodes.insert(m.nodes.end(), {p, abs});
    m.internal.insert(m.internal.end(), {value, n.inputs[1]});
    return 2.0f;
  }
  if (n.op == "Min" && n.inputs.size() == 2 &&
      ((n.inputs[0] == x && is_zero(g, n.inputs[1])) || (n.inputs[1] == x && is_zero(g, n.inputs[0])))) {
    m.nodes.push_back(p);
    m.internal.push_back(value);
    return 1.0f;
  }
  return std::nullopt;
}

// Matches `value` = (Mul by constants | Neg)* applied to a negative part of x
// and returns the slope tensor (scale · factor); nullopt when it does not match.
std::optional<Tensor> scaled_negative_part(const Graph& g, const GraphIndex& idx, int value, int x, Match& m) {
  float scalar = 1.0f;
  const Tensor* tensor = nullptr;
  int cur = value;
  for (int depth = 0; depth < 6; ++depth) {
    const int p = idx.producer(cur);
    if (op_of(g, p) == "Neg" && g.nodes[p].inputs.size() == 1) {  // MTCNN: −relu(−x) = min(x, 0)
      scalar = -scalar;
      m.nodes.push_back(p);
      m.internal.push_back(cur);
      cur = g.nodes[p].inputs[0];
      continue;
    }
    if (op_of(g, p) != "Mul" || g.nodes[p].inputs.size() != 2) break;
    const Node& mul = g.nodes[p];
    const int ci = float_constant(g, mul.inputs[1]) ? 1 : float_constant(g, mul.inputs[0]) ? 0 : -1;
    if (ci < 0) break;
    const Tensor* c = float_constant(g, mul.inputs[ci]);
    if (c->numel() == 1) {
      scalar *= c->data<float>()[0];
    } else {
      if (tensor) return std::nullopt;
      tensor = c;
    }
    m.nodes.push_back(p);
    m.internal.push_back(cur);
    cur = mul.inputs[1 - ci];
  }
  const auto factor = negative_part(g, idx, cur, x, m);
  if (!factor) return std::nullopt;
  scalar *= *factor;
  if (!tensor) return Tensor::from_floats({}, {scalar});
  Tensor slope = tensor->clone();
  for (int64_t i = 0; i < slope.numel(); ++i) slope.data<float>()[i] *= scalar;
  return slope;
}

}  // namespace

void fuse_prelu(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    const Node& anchor = g.nodes[a];
    if ((anchor.op != "Add" && anchor.op != "Sub") || anchor.inputs.size() != 2 || dead[a]) continue;
    // Try both operand orders for Add (Sub must be positive − negative), and
    // as the positive part either relu(x) or x itself.
    for (int attempt = 0; attempt < (anchor.op == "Add" ? 4 : 2); ++attempt) {
      const int order = attempt / 2;
      const bool identity = attempt % 2 == 1;  // x + k·min(x, 0): slope 1 + k
      const int pos_value = anchor.inputs[order], neg_value = anchor.inputs[1 - order];
      const int pos_node = idx.producer(pos_value);
      const int x = identity ? pos_value : positive_part_of(g, pos_node);
      if (x < 0 || g.values[x].dtype != DType::kFloat32) continue;
      Match m;
      if (!identity) {
        m.nodes.push_back(pos_node);
        m.internal.push_back(pos_value);
      }
      auto slope = scaled_negative_part(g, idx, neg_value, x, m);
      if (!slope) continue;
      const int y = anchor.outputs[0];
      if (g.values[y].shape != g.values[x].shape || slope->rank() > static_cast<int>(g.values[x].shape.size()))
        continue;
      std::vector<int> members = m.nodes;
      members.push_back(static_cast<int>(a));
      bool ok = true;
      for (int v : m.internal) ok &= idx.private_to(v, members);
      for (int n : m.nodes) ok &= !dead[n];
      if (!ok) continue;
      float* sp = slope->data<float>();
      for (int64_t i = 0; i < slope->numel(); ++i) sp[i] = (identity ? 1.0f : 0.0f) + (anchor.op == "Sub" ? -sp[i] : sp[i]);
      const int slope_id = g.add_constant(g.values[y].name + "/prelu_slope", std::move(*slope));
      for (int n : m.nodes) dead[n] = 1;
      const std::string name = g.nodes[a].name;
      g.nodes[a] = Node{"Prelu", name, {x, slope_id}, {y}, {}};
      break;
    }
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
