// Elementwise unary operators on float32 (Neg, Abs, Sign and Relu also accept
// int32), plus LeakyRelu (alpha) and Clip (min / max attributes, or ONNX's
// optional min / max scalar inputs).
#include <cmath>
#include <functional>
#include <limits>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

// Builds the per-element function for one node (reading its attributes once).
using FloatFn = std::function<std::function<float(float)>(const Node&)>;

void infer_unary(bool int_ok, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out, size_t max_inputs = 1) {
  require_arity(in, out, 1, max_inputs);
  require(in[0].dtype == DType::kFloat32 || (int_ok && in[0].dtype == DType::kInt32),
          std::string("input must be float32") + (int_ok ? " or int32" : "") + ", got " + dtype_name(in[0].dtype));
  out[0] = ValueInfo{in[0].dtype, in[0].shape, nullptr};
}

// `int_fn` (may be empty) handles int32 inputs.
OpDef unary_def(const std::string& name, FloatFn fn, std::function<int32_t(int32_t)> int_fn = {}) {
  const bool int_ok = static_cast<bool>(int_fn);
  auto infer = [int_ok](const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
    infer_unary(int_ok, in, out);
  };
  auto run = [fn, int_fn](const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const std::function<float(float)> f = fn(node);
    require(!in.empty() && in[0], "needs input X");
    const Tensor& x = *in[0];
    Tensor& y = *out[0];
    require(x.numel() == y.numel() && x.dtype() == y.dtype(), "output does not match input");
    if (x.dtype() == DType::kInt32) {
      require(static_cast<bool>(int_fn), "int32 input is not supported");
      for (int64_t i = 0; i < x.numel(); ++i) y.data<int32_t>()[i] = int_fn(x.data<int32_t>()[i]);
      return;
    }
    require(x.dtype() == DType::kFloat32, "input must be float32");
    for (int64_t i = 0; i < x.numel(); ++i) y.data<float>()[i] = f(x.data<float>()[i]);
  };
  return OpDef{name, infer, run};
}

// Wraps a plain float function.
FloatFn plain(float (*f)(float)) {
  return [f](const Node&) { return std::function<float(float)>(f); };
}

// The activations share their one implementation with the fused ones.
FloatFn activation(Activation::Kind kind) {
  return [kind](const Node& node) {
    Activation act;
    act.kind = kind;
    act.alpha = static_cast<float>(node.attrs.f("alpha", 0.01));  // ONNX LeakyRelu default
    return std::function<float(float)>([act](float x) { return activate(act, x, 0.0f); });
  };
}

float neg(float x) { return -x; }
float sign(float x) { return x > 0 ? 1.0f : x < 0 ? -1.0f : x; }  // NaN stays NaN
float rsqrt(float x) { return 1.0f / std::sqrt(x); }
float square(float x) { return x * x; }
float reciprocal(float x) { return 1.0f / x; }
float abs_f(float x) { return std::fabs(x); }
float exp_f(float x) { return std::exp(x); }
float log_f(float x) { return std::log(x); }
float sqrt_f(float x) { return std::sqrt(x); }
float floor_f(float x) { return std::floor(x); }
float ceil_f(float x) { return std::ceil(x); }

// Negation and absolute value wrap at INT32_MIN instead of overflowing.
int32_t neg_i(int32_t x) { return static_cast<int32_t>(0u - static_cast<uint32_t>(x)); }
int32_t abs_i(int32_t x) { return x < 0 ? neg_i(x) : x; }

// Clip bound: the optional input (ONNX) wins over the attribute.
float clip_bound(const Node& node, const std::vector<const Tensor*>& in, size_t index, const char* attr, double def) {
  if (has_input(in, index)) {
    require(in[index]->numel() == 1 && in[index]->dtype() == DType::kFloat32,
            std::string(attr) + " input must be a float32 scalar");
    return in[index]->data<float>()[0];
  }
  return static_cast<float>(node.attrs.f(attr, def));
}

OpDef clip_def() {
  auto infer = [](const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
    infer_unary(false, in, out, 3);
    for (size_t i = 1; i < in.size(); ++i)
      if (has_input(in, i)) {
        require_dtype(in[i], DType::kFloat32, i == 1 ? "min" : "max");
        const int64_t n = known_numel(in[i].shape);
        require(n < 0 || n == 1, std::string(i == 1 ? "min" : "max") + " must be a scalar");
      }
  };
  auto run = [](const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    require(!in.empty() && in[0], "needs input X");
    const float lo = clip_bound(node, in, 1, "min", -std::numeric_limits<double>::infinity());
    const float hi = clip_bound(node, in, 2, "max", std::numeric_limits<double>::infinity());
    const float* x = in[0]->data<float>();
    float* y = out[0]->data<float>();
    for (int64_t i = 0; i < in[0]->numel(); ++i) y[i] = std::min(std::max(x[i], lo), hi);
  };
  return OpDef{"Clip", infer, run};
}

}  // namespace

void register_unary_ops(OpRegistry& r) {
  r.add(unary_def("Neg", plain(neg), neg_i));
  r.add(unary_def("Abs", plain(abs_f), abs_i));
  r.add(unary_def("Exp", plain(exp_f)));
  r.add(unary_def("Log", plain(log_f)));
  r.add(unary_def("Sqrt", plain(sqrt_f)));
  r.add(unary_def("Rsqrt", plain(rsqrt)));
  r.add(unary_def("Square", plain(square)));
  r.add(unary_def("Reciprocal", plain(reciprocal)));
  r.add(unary_def("Relu", activation(Activation::kRelu), [](int32_t x) { return x > 0 ? x : 0; }));
  r.add(unary_def("Sigmoid", activation(Activation::kSigmoid)));
  r.add(unary_def("Tanh", activation(Activation::kTanh)));
  r.add(unary_def("Floor", plain(floor_f)));
  r.add(unary_def("Ceil", plain(ceil_f)));
  r.add(unary_def("Sign", plain(sign), [](int32_t x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }));
  r.add(unary_def("LeakyRelu", activation(Activation::kLeakyRelu)));
  r.add(clip_def());
}

}  // namespace facekit::nn
