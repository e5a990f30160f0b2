// Pad: pads [b0, b1, ..., e0, e1, ...] (attribute or input 1), negative
// values crop. Modes "constant" (value: attribute or input 2), "edge" and
// "reflect" as in ONNX. Every dtype.
#include <algorithm>
#include <cstring>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

std::vector<int64_t> checked_pads(std::vector<int64_t> pads, size_t rank) {
  require(pads.size() == 2 * rank, "pads must have " + std::to_string(2 * rank) + " values for rank " +
                                       std::to_string(rank) + ", got " + std::to_string(pads.size()));
  for (int64_t p : pads) require(p > -(int64_t{1} << 40) && p < (int64_t{1} << 40), "pad is out of range");
  return pads;
}

enum class PadMode { kConstant, kEdge, kReflect };

PadMode read_mode(const Node& node) {
  const std::string mode = node.attrs.s("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "reflect") return PadMode::kReflect;
  throw Error("unsupported mode '" + mode + "'");
}

void infer_pad(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 3);
  const Shape& x = in[0].shape;
  read_mode(node);
  bool known = true;
  const auto raw = ints_from_input_or_attr(node, in, 1, "pads", {}, &known);
  if (!known) {
    out[0] = ValueInfo{in[0].dtype, Shape(x.size(), -1), nullptr};
    return;
  }
  const auto pads = checked_pads(raw, x.size());
  Shape y(x.size());
  for (size_t d = 0; d < x.size(); ++d) {
    if (x[d] < 0) {
      y[d] = -1;
      continue;
    }
    y[d] = x[d] + pads[d] + pads[d + x.size()];
    require(y[d] >= 0, "pads crop axis " + std::to_string(d) + " below zero");
  }
  out[0] = ValueInfo{in[0].dtype, y, nullptr};
}

// The input coordinate for output coordinate `o` along an axis of length
// `n` with leading pad `before`; -1 means "use the constant".
int64_t source_index(int64_t o, int64_t before, int64_t n, PadMode mode) {
  int64_t i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == PadMode::kConstant || n == 0) return -1;
  if (mode == PadMode::kEdge) return i < 0 ? 0 : n - 1;
  if (n == 1) return 0;  // reflect on a single cell
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

void run_pad(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  const PadMode mode = read_mode(node);
  const auto pads = checked_pads(ints_from_input_or_attr(node, in, 1, "pads", {}), x.shape().size());
  const int rank = x.rank();
  for (int d = 0; d < rank; ++d)
    require(y.dim(d) == x.dim(d) + pads[d] + pads[d + rank], "output does not match the padding");
  require(y.dtype() == x.dtype(), "output dtype differs");
  double value = node.attrs.f("value", 0.0);
  if (has_input(in, 2)) {
    require(in[2]->numel() == 1, "constant value input must be a scalar");
    value = in[2]->to_floats()[0];
  }
  // The fill value in the tensor's own representation.
  uint8_t fill[4] = {0, 0, 0, 0};
  if (x.dtype() == DType::kFloat32) {
    const auto f = static_cast<float>(value);
    std::memcpy(fill, &f, 4);
  } else if (x.dtype() == DType::kInt32) {
    const auto v = static_cast<int32_t>(std::max(-2147483648.0, std::min(2147483647.0, value)));
    std::memcpy(fill, &v, 4);
  } else {
    fill[0] = value != 0;
  }
  require(mode == PadMode::kConstant || y.numel() == 0 || x.numel() > 0, "edge or reflect padding needs a non-empty input");
  const size_t size = dtype_size(x.dtype());
  const auto in_st = contiguous_strides(x.shape());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(y.raw());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < y.numel(); ++o) {
    int64_t offset = 0;
    for (int d = 0; d < rank && offset >= 0; ++d) {
      const int64_t i = source_index(idx[d], pads[d], x.dim(d), mode);
      offset = i < 0 ? -1 : offset + i * in_st[d];
    }
    copy_element(dst + o * size, offset < 0 ? fill : src + offset * size, size);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < y.dim(d)) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

void register_pad_ops(OpRegistry& r) { r.add(OpDef{"Pad", infer_pad, run_pad}); }

}  // namespace facekit::nn
