// Elementwise unary operators on oneDNN's eltwise_forward. These are memory
// bound: the gain is vectorised exp/tanh/logistic and threading, and that the
// op costs one pass over memory.
#include <cfloat>
#include <cmath>

#include "nn/fast/kernels.h"
#include "nn/fast/unary_plan.h"

namespace facekit::nn::fast {
namespace {

struct EltwiseSpec {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

// oneDNN's formulation of `node`, or nullopt when it has none (or the node's
// arguments are not known at load time).
std::optional<EltwiseSpec> spec_for(const Graph& g, const Node& node) {
  using alg = dnnl::algorithm;
  const std::string& op = node.op;
  if (op == "Relu") return EltwiseSpec{alg::eltwise_relu};
  if (op == "LeakyRelu") return EltwiseSpec{alg::eltwise_relu, static_cast<float>(node.attrs.f("alpha", 0.01))};
  if (op == "Sigmoid") return EltwiseSpec{alg::eltwise_logistic};
  if (op == "Tanh") return EltwiseSpec{alg::eltwise_tanh};
  if (op == "Exp") return EltwiseSpec{alg::eltwise_exp};
  if (op == "Abs") return EltwiseSpec{alg::eltwise_abs};
  if (op == "Sqrt") return EltwiseSpec{alg::eltwise_sqrt};
  if (op == "Square") return EltwiseSpec{alg::eltwise_square};
  if (op == "Log") return EltwiseSpec{alg::eltwise_log};
  if (op == "Neg") return EltwiseSpec{alg::eltwise_linear, -1.0f, 0.0f};
  if (op == "Clip") {
    // Bounds from constant inputs 1, 2 or the attributes; infinite → FLT_MAX.
    float bound[2] = {-FLT_MAX, FLT_MAX};
    const char* attr[2] = {"min", "max"};
    for (int k = 0; k < 2; ++k) {
      double v = node.attrs.f(attr[k], k == 0 ? -INFINITY : INFINITY);
      if (node.inputs.size() > static_cast<size_t>(k + 1) && node.inputs[k + 1] >= 0) {
        const auto& c = g.values[node.inputs[k + 1]].constant;
        if (!c || c->dtype() != DType::kFloat32 || c->numel() != 1) return std::nullopt;
        v = c->data<float>()[0];
      }
      if (std::isnan(v)) return std::nullopt;
      bound[k] = std::isinf(v) ? (v < 0 ? -FLT_MAX : FLT_MAX) : static_cast<float>(v);
    }
    if (bound[0] > bound[1]) return std::nullopt;  // the reference's corner case
    return EltwiseSpec{alg::eltwise_clip, bound[0], bound[1]};
  }
  return std::nullopt;
}

}  // namespace

Kernel make_eltwise_kernel(const Graph& g, const Node& node) {
  if (node.inputs.empty() || node.inputs[0] < 0 || g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  std::optional<EltwiseSpec> spec;
  try {
    spec = spec_for(g, node);
  } catch (const Error&) {
    return {};  // a malformed attribute: the reference kernel reports it
  }
  if (!spec) return {};
  return make_unary_kernel(node.op, [spec = *spec](const Node&, const Shape& x, const Shape& y) -> std::optional<UnaryPlan> {
    if (x != y) return std::nullopt;
    UnaryPlan plan;
    plan.src = plan.dst = plain_desc(dims_of(x));
    const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, spec.alg, plan.src, spec.alpha,
                                           spec.beta);
    plan.prim = dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, cpu_engine()));
    return plan;
  });
}

}  // namespace facekit::nn::fast
