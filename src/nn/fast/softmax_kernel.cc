// Softmax on oneDNN's softmax_forward (max-subtracted, like the reference).
#include "nn/fast/kernels.h"
#include "nn/fast/unary_plan.h"

namespace facekit::nn::fast {

Kernel make_softmax_kernel(const Graph& g, const Node& node) {
  if (g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  return make_unary_kernel(node.op, [](const Node& n, const Shape& x, const Shape&) -> std::optional<UnaryPlan> {
    if (x.empty()) return std::nullopt;
    const int axis = ops::normalize_axis(n.attrs.i("axis", -1), static_cast<int>(x.size()), "axis");
    UnaryPlan plan;
    plan.src = plan.dst = plain_desc(dims_of(x));
    const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, plan.src, axis);
    plan.prim = dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(desc, cpu_engine()));
    return plan;
  });
}

}  // namespace facekit::nn::fast
