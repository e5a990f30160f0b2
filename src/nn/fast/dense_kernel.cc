// Dense on oneDNN: inner_product_forward over X flattened to [rows, K], with
// the bias and the fused activation as a post-op; weights reordered once.
#include "nn/fast/dnnl_util.h"
#include "nn/fast/kernels.h"
#include "nn/fast/shape_cache.h"

namespace facekit::nn::fast {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct DensePlan {
  bool use_reference = false;
  dnnl::inner_product_forward prim;
  memory::desc src, dst;
  memory weights;
};

class DenseKernel {
 public:
  DenseKernel(const Node& node, const Tensor& w, const Tensor* bias, const Tensor* slope)
      : act_(ops::read_activation(node)), w_(w) {
    if (bias) bias_ = memory(memory::desc({w.dim(0)}, memory::data_type::f32, tag::a), cpu_engine(), const_cast<float*>(bias->data<float>()));
    if (slope) slope_ = *slope;
  }

  void operator()(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const Tensor& x = *in[0];
    Tensor& y = *out[0];
    if (y.numel() == 0) return;
    DensePlan* plan = x.numel() == 0 ? nullptr : plans_.find(x.shape());
    if (!plan && x.numel() > 0) plan = &plans_.add({x.shape()}, make_plan(x));
    if (!plan || plan->use_reference) {
      reference_(node, in, out);
      return;
    }
    const dnnl::engine& eng = cpu_engine();
    memory src(plan->src, eng, const_cast<float*>(x.data<float>()));
    memory dst(plan->dst, eng, y.data<float>());
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, plan->weights}, {DNNL_ARG_DST, dst}};
    if (bias_) args.emplace(DNNL_ARG_BIAS, bias_);
    plan->prim.execute(thread_stream(), args);
    thread_stream().wait();
    if (!slope_.empty()) {
      const int64_t n = w_.tensor().dim(0);
      apply_prelu(y.data<float>(), y.data<float>(), y.numel() / n, n, 1, slope_.data<float>(), slope_.numel());
    }
  }

 private:
  std::unique_ptr<DensePlan> make_plan(const Tensor& x) {
    auto plan = std::make_unique<DensePlan>();
    try {
      const memory::dim N = w_.tensor().dim(0), K = w_.tensor().dim(1);
      if (x.rank() < 1 || x.dim(-1) != K) throw dnnl::error(dnnl_invalid_arguments, "shape");
      const memory::dim rows = x.numel() / K;
      plan->src = memory::desc({rows, K}, memory::data_type::f32, tag::ab);
      plan->dst = memory::desc({rows, N}, memory::data_type::f32, tag::ab);
      const memory::desc w_any({N, K}, memory::data_type::f32, tag::any);
      const memory::desc bias_md = bias_ ? bias_.get_desc() : memory::desc();
      const dnnl::inner_product_forward::desc desc(dnnl::prop_kind::forward_inference, plan->src, w_any, bias_md,
                                                   plan->dst);
      dnnl::post_ops post_ops;
      append_activation(act_, post_ops);
      dnnl::primitive_attr attr;
      attr.set_post_ops(post_ops);
      const dnnl::inner_product_forward::primitive_desc pd(desc, attr, cpu_engine());
      plan->prim = dnnl::inner_product_forward(pd);
      plan->weights = w_.in_layout(pd.weights_desc(), memory::desc({N, K}, memory::data_type::f32, tag::ab));
    } catch (const dnnl::error&) {
      plan->use_reference = true;
    }
    return plan;
  }

  ops::Activation act_;
  ReorderedWeights w_;
  memory bias_;
  Tensor slope_;               // Prelu slope, applied after the primitive
  Kernel reference_ = zeroing_reference("Dense");
  ShapeCache<DensePlan> plans_;
};

}  // namespace

Kernel make_dense_kernel(const Graph& g, const Node& node) {
  auto constant = [&](size_t i) { return float_constant(g, node, i); };
  auto present = [&](size_t i) { return has_input(node, i); };
  const Tensor* w = constant(1);
  if (!w || w->rank() != 2 || g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  if ((present(2) && !constant(2)) || (present(3) && !constant(3))) return {};
  if (constant(2) && constant(2)->numel() != w->dim(0)) return {};
  const Tensor* slope = constant(3);
  if (slope && slope->numel() != 1 && slope->numel() != w->dim(0)) return {};
  try {
    ops::read_activation(node);
  } catch (const Error&) {
    return {};
  }
  auto kernel = std::make_shared<DenseKernel>(node, *w, constant(2), slope);
  return [kernel](const Node& n, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    (*kernel)(n, in, out);
  };
}

}  // namespace facekit::nn::fast
