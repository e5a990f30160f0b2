// Per-channel affine ops after Conv/Dense, folded into its weights and bias:
//   Mul(y, s)  →  W[o] *= s[o], B[o] *= s[o]   (folded batch norm: scale)
//   Add(y, c)  →  B[o] += c[o]                 (bias add, batch norm: shift)
//   Sub(y, c)  →  B[o] −= c[o]
// Only before any fused activation, and only when y has no other reader.
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

enum class Fold { kNone, kScale, kShift, kNegShift };

// How reader `r` of conv output `y` folds, with its per-channel constant.
Fold classify(const Graph& g, const Node& r, int y, const ChannelAxis& ch, std::vector<float>* c) {
  if (r.inputs.size() != 2 || r.outputs.size() != 1) return Fold::kNone;
  if (g.values[r.outputs[0]].shape != g.values[y].shape) return Fold::kNone;  // a broadcast that enlarges
  int other = -1;
  if (r.inputs[0] == y && r.inputs[1] != y) other = r.inputs[1];
  if (r.inputs[1] == y && r.inputs[0] != y && r.op != "Sub") other = r.inputs[0];
  const Tensor* t = float_constant(g, other);
  if (!t) return Fold::kNone;
  auto values = per_channel_values(*t, ch.rank, ch.axis, ch.channels);
  if (!values) return Fold::kNone;
  *c = std::move(*values);
  if (r.op == "Mul") return Fold::kScale;
  if (r.op == "Add") return Fold::kShift;
  if (r.op == "Sub") return Fold::kNegShift;
  return Fold::kNone;
}

}  // namespace

void fuse_conv_affine(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const auto ch = output_channels(g, g.nodes[n]);
    if (!ch || !g.nodes[n].attrs.s("activation", "").empty()) continue;
    const int bias_in = g.nodes[n].inputs.size() > 2 ? g.nodes[n].inputs[2] : -1;
    if (bias_in >= 0 && !float_constant(g, bias_in)) continue;
    std::optional<Tensor> weights, bias;  // copies, made on the first fold
    while (true) {
      const int y = g.nodes[n].outputs[0];
      const int r = idx.sole_reader(y);
      std::vector<float> c;
      const Fold fold = r >= 0 && !dead[r] ? classify(g, g.nodes[r], y, *ch, &c) : Fold::kNone;
      if (fold == Fold::kNone) break;
      if (!weights) {
        weights = g.values[g.nodes[n].inputs[1]].constant->clone();
        bias = bias_in >= 0 ? g.values[bias_in].constant->clone() : Tensor(DType::kFloat32, {ch->channels});
        if (bias->numel() != ch->channels) break;
      }
      float* b = bias->data<float>();
      if (fold == Fold::kScale) {
        const int64_t per_channel = weights->numel() / ch->channels;
        float* w = weights->data<float>();
        for (int64_t o = 0; o < ch->channels; ++o) {
          for (int64_t k = 0; k < per_channel; ++k) w[o * per_channel + k] *= c[o];
          b[o] *= c[o];
        }
      } else {
        const float sign = fold == Fold::kShift ? 1.0f : -1.0f;
        for (int64_t o = 0; o < ch->channels; ++o) b[o] += sign * c[o];
      }
      g.nodes[n].outputs = g.nodes[r].outputs;
      dead[r] = 1;
    }
    if (!weights || bias->numel() != ch->channels) continue;
    Node& node = g.nodes[n];
    const std::string out_name = g.values[node.outputs[0]].name;  // copied: add_constant grows values
    const int w_id = g.add_constant(out_name + "/folded_weights", std::move(*weights));
    const int b_id = g.add_constant(out_name + "/folded_bias", std::move(*bias));
    node.inputs[1] = w_id;
    if (node.inputs.size() < 3) node.inputs.resize(3, -1);
    node.inputs[2] = b_id;
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
