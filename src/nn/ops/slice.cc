// Slice (ONNX): starts / ends / axes / steps from attributes or from inputs
// 1..4 (opset 10+). Indices clamp as in ONNX; ends may be ±2^62 (or any huge
// value) for "to the end". Every dtype.
#include <algorithm>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

struct SliceArgs {
  std::vector<int64_t> starts, ends, axes, steps;
};

// One axis after clamping: first index, step and count.
struct AxisRange {
  int64_t start, step, count;
};

AxisRange clamp_range(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (dim == 0) return {0, step, 0};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return {start, step, end > start ? (end - start + step - 1) / step : 0};
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  return {start, step, start > end ? (start - end + (-step) - 1) / (-step) : 0};
}

// Per-axis ranges for a known input shape; axes not listed are whole.
// Unknown dims (-1) give count -1.
std::vector<AxisRange> plan_slice(const SliceArgs& a, const Shape& shape) {
  const int rank = static_cast<int>(shape.size());
  require(a.starts.size() == a.ends.size(), "starts and ends differ in length");
  std::vector<int64_t> axes = a.axes;
  if (axes.empty())
    for (size_t i = 0; i < a.starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  require(axes.size() == a.starts.size(), "axes and starts differ in length");
  require(a.steps.empty() || a.steps.size() == a.starts.size(), "steps and starts differ in length");
  std::vector<AxisRange> ranges(rank);
  for (int d = 0; d < rank; ++d) ranges[d] = {0, 1, shape[d]};
  std::vector<char> seen(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int d = normalize_axis(axes[i], rank, "axis");
    require(!seen[d], "axis " + std::to_string(axes[i]) + " is repeated");
    seen[d] = 1;
    const int64_t step = a.steps.empty() ? 1 : a.steps[i];
    require(step != 0 && step > -(int64_t{1} << 62), "step must be non-zero and of sane size");
    if (shape[d] < 0) {
      ranges[d] = {0, step, -1};
      continue;
    }
    ranges[d] = clamp_range(a.starts[i], a.ends[i], step, shape[d]);
  }
  return ranges;
}

void infer_slice(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 5);
  const Shape& x = in[0].shape;
  SliceArgs a;
  bool known[4];
  a.starts = ints_from_input_or_attr(node, in, 1, "starts", {}, &known[0]);
  a.ends = ints_from_input_or_attr(node, in, 2, "ends", {}, &known[1]);
  a.axes = ints_from_input_or_attr(node, in, 3, "axes", {}, &known[2]);
  a.steps = ints_from_input_or_attr(node, in, 4, "steps", {}, &known[3]);
  if (!(known[0] && known[1] && known[2] && known[3])) {  // runtime arguments: only the rank is known
    out[0] = ValueInfo{in[0].dtype, Shape(x.size(), -1), nullptr};
    return;
  }
  const auto ranges = plan_slice(a, x);
  Shape y(x.size());
  for (size_t d = 0; d < x.size(); ++d) y[d] = ranges[d].count;
  out[0] = ValueInfo{in[0].dtype, y, nullptr};
}

void run_slice(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  SliceArgs a;
  a.starts = ints_from_input_or_attr(node, in, 1, "starts", {});
  a.ends = ints_from_input_or_attr(node, in, 2, "ends", {});
  a.axes = ints_from_input_or_attr(node, in, 3, "axes", {});
  a.steps = ints_from_input_or_attr(node, in, 4, "steps", {});
  const auto ranges = plan_slice(a, x.shape());
  const auto in_st = contiguous_strides(x.shape());
  Shape y_shape(ranges.size());
  std::vector<int64_t> st(ranges.size());
  int64_t base = 0;
  for (size_t d = 0; d < ranges.size(); ++d) {
    y_shape[d] = ranges[d].count;
    st[d] = in_st[d] * ranges[d].step;
    if (ranges[d].count > 0) base += ranges[d].start * in_st[d];
  }
  require(y.shape() == y_shape && y.dtype() == x.dtype(), "output does not match the slice");
  const size_t size = dtype_size(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw()) + base * static_cast<int64_t>(size);
  auto* dst = static_cast<uint8_t*>(y.raw());
  const std::vector<int64_t> zero(ranges.size(), 0);
  broadcast_loop(y_shape, st, zero,
                 [&](int64_t o, int64_t i, int64_t) { copy_element(dst + o * size, src + i * size, size); });
}

}  // namespace

void register_slice_ops(OpRegistry& r) { r.add(OpDef{"Slice", infer_slice, run_slice}); }

}  // namespace facekit::nn
