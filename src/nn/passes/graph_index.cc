#include "nn/passes/graph_index.h"

#include <algorithm>

namespace facekit::nn::passes {

GraphIndex::GraphIndex(const Graph& g)
    : producer_(g.values.size(), -1), readers_(g.values.size()), is_output_(g.values.size(), 0) {
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int v : g.nodes[n].outputs) producer_[v] = static_cast<int>(n);
    for (int v : g.nodes[n].inputs)
      if (v >= 0) readers_[v].push_back(static_cast<int>(n));
  }
  for (int v : g.outputs) is_output_[v] = 1;
}

bool GraphIndex::private_to(int value, const std::vector<int>& allowed) const {
  if (is_output(value)) return false;
  for (int r : readers_[value])
    if (std::find(allowed.begin(), allowed.end(), r) == allowed.end()) return false;
  return true;
}

int GraphIndex::sole_reader(int value) const {
  if (is_output(value) || readers_[value].size() != 1) return -1;
  return readers_[value][0];
}

const Tensor* float_constant(const Graph& g, int value) {
  if (value < 0) return nullptr;
  const auto& c = g.values[value].constant;
  return c && c->dtype() == DType::kFloat32 ? &*c : nullptr;
}

std::optional<float> scalar_constant(const Graph& g, int value) {
  const Tensor* t = float_constant(g, value);
  if (!t || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

const std::string& op_of(const Graph& g, int node) {
  static const std::string none;
  return node >= 0 ? g.nodes[node].op : none;
}

std::optional<std::vector<float>> per_channel_values(const Tensor& c, int rank, int channel_axis,
                                                     int64_t channels) {
  if (c.dtype() != DType::kFloat32 || c.rank() > rank || channels <= 0) return std::nullopt;
  // Align c's dims to the right of the output's, as broadcasting does.
  const int lead = rank - c.rank();
  for (int i = 0; i < c.rank(); ++i) {
    const int64_t d = c.dim(i);
    if (d == 1) continue;
    if (lead + i != channel_axis || d != channels) return std::nullopt;
  }
  std::vector<float> out(static_cast<size_t>(channels));
  const float* p = c.data<float>();
  for (int64_t k = 0; k < channels; ++k) out[k] = c.numel() == 1 ? p[0] : p[k];
  return out;
}

std::optional<ChannelAxis> output_channels(const Graph& g, const Node& node) {
  if ((node.op != "Conv" && node.op != "Dense") || node.inputs.size() < 2 || node.outputs.size() != 1)
    return std::nullopt;
  const Tensor* w = float_constant(g, node.inputs[1]);
  const int rank = static_cast<int>(g.values[node.outputs[0]].shape.size());
  if (!w || w->rank() < 1 || rank < 1) return std::nullopt;
  if (node.op == "Dense") return ChannelAxis{rank, rank - 1, w->dim(0)};
  if (rank != 4) return std::nullopt;
  return ChannelAxis{rank, node.attrs.s("layout", "NHWC") == "NCHW" ? 1 : 3, w->dim(0)};
}

void remove_dead_nodes(Graph& g, const std::vector<char>& dead) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (!dead[n]) kept.push_back(std::move(g.nodes[n]));
  g.nodes = std::move(kept);
}

}  // namespace facekit::nn::passes
