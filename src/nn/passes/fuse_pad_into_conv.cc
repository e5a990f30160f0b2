// Zero Pad of the spatial axes before a Conv → the Conv's own padding (TF
// graphs pad explicitly before VALID convolutions). Saves a copy of the
// activation and lets oneDNN skip the zeros.
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

using namespace passes;

// The Pad's [b0..b3, e0..e3] when it is a constant-zero pad of a 4-D tensor,
// else empty.
std::vector<int64_t> zero_pads(const Graph& g, const Node& pad) {
  if (pad.inputs.empty() || pad.attrs.s("mode", "constant") != "constant") return {};
  if (g.values[pad.inputs[0]].shape.size() != 4) return {};
  double value = pad.attrs.f("value", 0.0);
  if (pad.inputs.size() > 2 && pad.inputs[2] >= 0) {
    const auto v = scalar_constant(g, pad.inputs[2]);
    if (!v) return {};
    value = *v;
  }
  if (value != 0.0) return {};
  std::vector<int64_t> pads;
  if (pad.inputs.size() > 1 && pad.inputs[1] >= 0) {
    const auto& c = g.values[pad.inputs[1]].constant;
    if (!c) return {};
    pads = c->to_int64();
  } else {
    pads = pad.attrs.ints("pads", {});
  }
  if (pads.size() != 8) return {};
  for (int64_t p : pads)
    if (p < 0) return {};
  return pads;
}

}  // namespace

void fuse_pad_into_conv(Graph& g) {
  const GraphIndex idx(g);
  std::vector<char> dead(g.nodes.size(), 0);
  for (Node& conv : g.nodes) {
    if (conv.op != "Conv" || conv.inputs.empty()) continue;
    const int padded = conv.inputs[0];
    const int p = idx.producer(padded);
    if (op_of(g, p) != "Pad" || dead[p] || idx.sole_reader(padded) < 0) continue;
    const auto pads = zero_pads(g, g.nodes[p]);
    if (pads.empty()) continue;
    const bool nchw = conv.attrs.s("layout", "NHWC") == "NCHW";
    const int h = nchw ? 2 : 1, w = nchw ? 3 : 2, n = 0, c = nchw ? 1 : 3;
    if (pads[n] || pads[n + 4] || pads[c] || pads[c + 4]) continue;  // batch or channel padding
    const std::string auto_pad = conv.attrs.s("auto_pad", "NOTSET");
    std::vector<int64_t> own = {0, 0, 0, 0};
    if (auto_pad == "NOTSET" || auto_pad.empty()) {
      own = conv.attrs.ints("pads", {0, 0, 0, 0});
      if (own.size() != 4) continue;
    } else if (auto_pad != "VALID") {
      continue;  // SAME depends on the input size, which the Pad changes
    }
    conv.attrs.set("auto_pad", std::string("NOTSET"));
    conv.attrs.set("pads", std::vector<int64_t>{own[0] + pads[h], own[1] + pads[w], own[2] + pads[h + 4],
                                                own[3] + pads[w + 4]});
    conv.inputs[0] = g.nodes[p].inputs[0];
    dead[p] = 1;
  }
  remove_dead_nodes(g, dead);
}

}  // namespace facekit::nn
