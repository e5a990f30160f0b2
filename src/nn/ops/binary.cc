// Elementwise binary arithmetic with numpy broadcasting: Add Sub Mul Div Max
// Min Pow on float32 or int32 (operands of one dtype, except Pow's exponent),
// and Prelu.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

enum class BinOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kPow };

float apply(BinOp op, float a, float b) {
  switch (op) {
    case BinOp::kAdd: return a + b;
    case BinOp::kSub: return a - b;
    case BinOp::kMul: return a * b;
    case BinOp::kDiv: return a / b;
    case BinOp::kMax: return std::isnan(a) || std::isnan(b) ? std::numeric_limits<float>::quiet_NaN() : std::max(a, b);
    case BinOp::kMin: return std::isnan(a) || std::isnan(b) ? std::numeric_limits<float>::quiet_NaN() : std::min(a, b);
    case BinOp::kPow: return std::pow(a, b);
  }
  return 0;
}

// int32 arithmetic wraps on overflow (done in uint32: no undefined behaviour);
// division truncates toward zero and refuses a zero divisor.
int32_t apply(BinOp op, int32_t a, int32_t b) {
  const auto ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  switch (op) {
    case BinOp::kAdd: return static_cast<int32_t>(ua + ub);
    case BinOp::kSub: return static_cast<int32_t>(ua - ub);
    case BinOp::kMul: return static_cast<int32_t>(ua * ub);
    case BinOp::kDiv:
      require(b != 0, "integer division by zero");
      if (a == std::numeric_limits<int32_t>::min() && b == -1) return a;
      return a / b;
    case BinOp::kMax: return std::max(a, b);
    case BinOp::kMin: return std::min(a, b);
    case BinOp::kPow: {
      const double v = std::pow(static_cast<double>(a), static_cast<double>(b));
      if (!(v >= -2147483648.0 && v <= 2147483647.0)) return 0;  // NaN or out of range
      return static_cast<int32_t>(v);
    }
  }
  return 0;
}

// Max and Min also take 1..N operands (ONNX's variadic form); Pow takes an
// exponent of another dtype (the result has the base's dtype).
bool is_variadic(BinOp op) { return op == BinOp::kMax || op == BinOp::kMin; }

void infer_binary(BinOp op, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  if (is_variadic(op))
    require_arity(in, out, 1, 1024);
  else
    require_arity(in, out, 2, 2);
  Shape shape = in[0].shape;
  for (size_t k = 0; k < in.size(); ++k) {
    require(in[k].dtype != DType::kBool, "bool operands are not supported");
    require(in[k].dtype == in[0].dtype || op == BinOp::kPow,
            std::string("operand dtypes differ: ") + dtype_name(in[0].dtype) + " and " + dtype_name(in[k].dtype));
    if (k) shape = broadcast_shapes(shape, in[k].shape);
  }
  out[0] = ValueInfo{in[0].dtype, shape, nullptr};
}

template <class T>
void binary_kernel(BinOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  const auto sa = broadcast_strides(a.shape(), y.shape());
  const auto sb = broadcast_strides(b.shape(), y.shape());
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* py = y.data<T>();
  broadcast_loop(y.shape(), sa, sb, [&](int64_t o, int64_t ia, int64_t ib) { py[o] = apply(op, pa[ia], pb[ib]); });
}

// Three or more (or one) operands: y = in[0], then y = op(y, in[k]) in place.
template <class T>
void fold_kernel(BinOp op, const std::vector<const Tensor*>& in, Tensor& y) {
  const auto own = contiguous_strides(y.shape());
  T* py = y.data<T>();
  for (size_t k = 0; k < in.size(); ++k) {
    const T* pk = in[k]->data<T>();
    broadcast_loop(y.shape(), own, broadcast_strides(in[k]->shape(), y.shape()), [&](int64_t o, int64_t, int64_t i) {
      py[o] = k == 0 ? pk[i] : apply(op, py[o], pk[i]);
    });
  }
}

double element_as_double(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt32 ? static_cast<double>(t.data<int32_t>()[i]) : static_cast<double>(t.data<float>()[i]);
}

// Pow with operands of different dtypes, computed in double.
void mixed_pow_kernel(const Tensor& a, const Tensor& b, Tensor& y) {
  const auto sa = broadcast_strides(a.shape(), y.shape());
  const auto sb = broadcast_strides(b.shape(), y.shape());
  broadcast_loop(y.shape(), sa, sb, [&](int64_t o, int64_t ia, int64_t ib) {
    const double v = std::pow(element_as_double(a, ia), element_as_double(b, ib));
    if (y.dtype() == DType::kFloat32)
      y.data<float>()[o] = static_cast<float>(v);
    else
      y.data<int32_t>()[o] = v >= -2147483648.0 && v <= 2147483647.0 ? static_cast<int32_t>(v) : 0;
  });
}

OpDef binary_def(const std::string& name, BinOp op) {
  auto infer = [op](const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
    infer_binary(op, in, out);
  };
  auto run = [op](const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    require(!in.empty() && (in.size() == 2 || is_variadic(op)), "wrong number of operands");
    for (const Tensor* t : in) require(t != nullptr && t->dtype() != DType::kBool, "an operand is missing or bool");
    const bool is_int = in[0]->dtype() == DType::kInt32;
    require(out[0]->dtype() == in[0]->dtype(), "output dtype differs");
    if (in.size() == 2 && in[1]->dtype() != in[0]->dtype()) {
      require(op == BinOp::kPow, "operand dtypes differ");
      mixed_pow_kernel(*in[0], *in[1], *out[0]);
    } else if (in.size() == 2) {
      if (is_int)
        binary_kernel<int32_t>(op, *in[0], *in[1], *out[0]);
      else
        binary_kernel<float>(op, *in[0], *in[1], *out[0]);
    } else {
      for (const Tensor* t : in) require(t->dtype() == in[0]->dtype(), "operand dtypes differ");
      if (is_int)
        fold_kernel<int32_t>(op, in, *out[0]);
      else
        fold_kernel<float>(op, in, *out[0]);
    }
  };
  return OpDef{name, infer, run};
}

void infer_prelu(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 2, 2);
  require_dtype(in[0], DType::kFloat32, "input X");
  require_dtype(in[1], DType::kFloat32, "slope");
  const Shape y = broadcast_shapes(in[0].shape, in[1].shape);
  require(y.size() == in[0].shape.size(), "slope " + shape_str(in[1].shape) + " has a higher rank than X " +
                                              shape_str(in[0].shape));
  for (size_t i = 0; i < y.size(); ++i)
    require(in[0].shape[i] < 0 || y[i] == in[0].shape[i],
            "slope " + shape_str(in[1].shape) + " does not broadcast to X " + shape_str(in[0].shape));
  out[0] = ValueInfo{DType::kFloat32, in[0].shape, nullptr};
}

void run_prelu(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(in.size() == 2 && in[0] && in[1], "needs inputs X and slope");
  Tensor& y = *out[0];
  const auto sx = broadcast_strides(in[0]->shape(), y.shape());
  const auto ss = broadcast_strides(in[1]->shape(), y.shape());
  const float* x = in[0]->data<float>();
  const float* s = in[1]->data<float>();
  float* py = y.data<float>();
  broadcast_loop(y.shape(), sx, ss, [&](int64_t o, int64_t ix, int64_t is) {
    py[o] = x[ix] < 0 ? s[is] * x[ix] : x[ix];
  });
}

}  // namespace

void register_binary_ops(OpRegistry& r) {
  r.add(binary_def("Add", BinOp::kAdd));
  r.add(binary_def("Sub", BinOp::kSub));
  r.add(binary_def("Mul", BinOp::kMul));
  r.add(binary_def("Div", BinOp::kDiv));
  r.add(binary_def("Max", BinOp::kMax));
  r.add(binary_def("Min", BinOp::kMin));
  r.add(binary_def("Pow", BinOp::kPow));
  r.add(OpDef{"Prelu", infer_prelu, run_prelu});
}

}  // namespace facekit::nn
