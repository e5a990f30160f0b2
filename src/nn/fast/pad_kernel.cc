// Constant-mode Pad of a float32 tensor with load-time constant, non-negative
// pads (BlazeFace pads channels before every residual Add): the output is
// written block by block — whole pad blocks filled, input rows copied — in
// place of the reference kernel's per-element index walk. Edge and reflect
// modes, crops and run-time pads use the reference kernel.
#include <algorithm>
#include <cstring>

#include "nn/fast/kernels.h"
#include "nn/ops/common.h"

namespace facekit::nn::fast {
namespace {

struct PadSpec {
  std::vector<int64_t> pads;  // [b0, b1, ..., e0, e1, ...]
  float value = 0;
};

// Writes the padded block of axis `d` onwards: `src` is the input block of
// strides `in_st`, `dst` the output block of strides `out_st`.
void pad_block(const float* src, float* dst, int d, const Shape& x, const Shape& y, const PadSpec& spec,
               const std::vector<int64_t>& in_st, const std::vector<int64_t>& out_st) {
  const int rank = static_cast<int>(x.size());
  const int64_t before = spec.pads[d], inner = out_st[d];
  std::fill_n(dst, before * inner, spec.value);
  if (d == rank - 1) {
    std::memcpy(dst + before, src, x[d] * sizeof(float));
  } else {
    for (int64_t i = 0; i < x[d]; ++i)
      pad_block(src + i * in_st[d], dst + (before + i) * inner, d + 1, x, y, spec, in_st, out_st);
  }
  const int64_t after = y[d] - before - x[d];
  std::fill_n(dst + (before + x[d]) * inner, after * inner, spec.value);
}

}  // namespace

Kernel make_pad_kernel(const Graph& g, const Node& node) {
  if (node.inputs.empty() || node.inputs[0] < 0 || g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  if (node.attrs.s("mode", "constant") != "constant") return {};
  // Pads and value must be known now: from attributes or constant inputs.
  std::vector<ValueInfo> info;
  for (int v : node.inputs) {
    if (v < 0) {
      info.push_back(ValueInfo{});
      continue;
    }
    const auto& c = g.values[v].constant;
    info.push_back(ValueInfo{g.values[v].dtype, g.values[v].shape, c ? &*c : nullptr});
  }
  PadSpec spec;
  bool known = true;
  try {
    spec.pads = ops::ints_from_input_or_attr(node, info, 1, "pads", {}, &known);
  } catch (const Error&) {
    return {};
  }
  if (!known || spec.pads.size() != 2 * g.values[node.inputs[0]].shape.size()) return {};
  for (int64_t p : spec.pads)
    if (p < 0 || p > (int64_t{1} << 30)) return {};
  spec.value = static_cast<float>(node.attrs.f("value", 0.0));
  if (ops::has_input(info, 2)) {
    if (!info[2].constant || info[2].constant->numel() != 1) return {};
    spec.value = info[2].constant->to_floats()[0];
  }
  const Kernel reference = zeroing_reference("Pad");
  return [spec, reference](const Node& n, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const Tensor& x = *in[0];
    Tensor& y = *out[0];
    const int rank = x.rank();
    bool matches = rank > 0 && spec.pads.size() == 2 * static_cast<size_t>(rank) && y.rank() == rank;
    for (int d = 0; matches && d < rank; ++d) matches = y.dim(d) == x.dim(d) + spec.pads[d] + spec.pads[d + rank];
    if (!matches || x.numel() == 0) {
      reference(n, in, out);  // reports the mismatch, or fills an all-pad output
      return;
    }
    pad_block(x.data<float>(), y.data<float>(), 0, x.shape(), y.shape(), spec, ops::contiguous_strides(x.shape()),
              ops::contiguous_strides(y.shape()));
  };
}

}  // namespace facekit::nn::fast
