// Reductions over a set of axes: ReduceSum ReduceMean ReduceMax ReduceMin
// ReduceProd on float32 or int32. Axes come from the "axes" attribute or the
// optional second input (ONNX opset 13+); empty means all axes unless
// noop_with_empty_axes is set.
#include <cmath>
#include <limits>
#include <type_traits>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

enum class Reduction { kSum, kMean, kMax, kMin, kProd };

// Which axes of a rank-`rank` input are reduced; throws on bad or repeated axes.
std::vector<char> reduced_axes(const Node& node, const std::vector<int64_t>& axes, int rank) {
  std::vector<char> mask(rank, 0);
  if (axes.empty()) {
    if (node.attrs.i("noop_with_empty_axes", 0) == 0) mask.assign(rank, 1);
    return mask;
  }
  for (int64_t a : axes) {
    const int axis = normalize_axis(a, rank, "axis");
    require(!mask[axis], "axis " + std::to_string(a) + " is repeated");
    mask[axis] = 1;
  }
  return mask;
}

Shape reduced_shape(const Shape& in, const std::vector<char>& mask, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!mask[i])
      out.push_back(in[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

void infer_reduce(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 2);
  require(in[0].dtype != DType::kBool, "bool input is not supported");
  bool known = true;
  const auto axes = ints_from_input_or_attr(node, in, 1, "axes", {}, &known);
  const bool keepdims = node.attrs.i("keepdims", 1) != 0;
  const int rank = static_cast<int>(in[0].shape.size());
  if (!known) {  // axes computed at run time: only the rank is certain (with keepdims)
    require(keepdims, "axes must be constant unless keepdims is set");
    out[0] = ValueInfo{in[0].dtype, Shape(rank, -1), nullptr};
    return;
  }
  out[0] = ValueInfo{in[0].dtype, reduced_shape(in[0].shape, reduced_axes(node, axes, rank), keepdims), nullptr};
}

template <class T>
void reduce_kernel(Reduction op, const Tensor& x, const std::vector<char>& mask, Tensor& y) {
  // Strides of the kept-dims output indexed by input position (0 on reduced axes).
  const Shape kept = reduced_shape(x.shape(), mask, true);
  const auto out_st = broadcast_strides(kept, x.shape());
  const auto in_st = contiguous_strides(x.shape());
  const int64_t n_out = y.numel();
  require(n_out == shape_numel(kept), "output shape is inconsistent");
  double init = 0;
  if (op == Reduction::kProd) init = 1;
  if (op == Reduction::kMax) init = -std::numeric_limits<double>::infinity();
  if (op == Reduction::kMin) init = std::numeric_limits<double>::infinity();
  std::vector<double> acc(static_cast<size_t>(n_out), init);
  const T* px = x.data<T>();
  broadcast_loop(x.shape(), in_st, out_st, [&](int64_t, int64_t i, int64_t o) {
    const double v = px[i];
    double& a = acc[o];
    switch (op) {
      case Reduction::kSum:
      case Reduction::kMean: a += v; break;
      case Reduction::kProd: a *= v; break;
      case Reduction::kMax: a = std::isnan(v) || v > a ? v : a; break;
      case Reduction::kMin: a = std::isnan(v) || v < a ? v : a; break;
    }
  });
  const int64_t count = n_out ? x.numel() / n_out : 0;
  T* py = y.data<T>();
  for (int64_t o = 0; o < n_out; ++o) {
    double v = acc[o];
    if (op == Reduction::kMean) v = count ? v / static_cast<double>(count) : std::nan("");
    if constexpr (std::is_same_v<T, int32_t>) {
      py[o] = std::isfinite(v) && std::fabs(v) < 2147483648.0 ? static_cast<int32_t>(v) : 0;
    } else {
      py[o] = static_cast<float>(v);
    }
  }
}

OpDef reduce_def(const std::string& name, Reduction op) {
  auto run = [op](const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    require(!in.empty() && in[0], "needs input X");
    const auto axes = ints_from_input_or_attr(node, in, 1, "axes", {});
    const auto mask = reduced_axes(node, axes, in[0]->rank());
    if (in[0]->dtype() == DType::kInt32)
      reduce_kernel<int32_t>(op, *in[0], mask, *out[0]);
    else
      reduce_kernel<float>(op, *in[0], mask, *out[0]);
  };
  return OpDef{name, infer_reduce, run};
}

}  // namespace

void register_reduce_ops(OpRegistry& r) {
  r.add(reduce_def("ReduceSum", Reduction::kSum));
  r.add(reduce_def("ReduceMean", Reduction::kMean));
  r.add(reduce_def("ReduceMax", Reduction::kMax));
  r.add(reduce_def("ReduceMin", Reduction::kMin));
  r.add(reduce_def("ReduceProd", Reduction::kProd));
}

}  // namespace facekit::nn
