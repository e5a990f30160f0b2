// Conv on oneDNN: convolution_forward with the bias and the fused activation
// as a post-op. Activations stay in the IR's plain NHWC/NCHW layout (the
// interpreter hands plain tensors from node to node); only the weights take
// the primitive's preferred blocked layout, reordered once per layout.
#include <cstring>

#include "nn/fast/dnnl_util.h"
#include "nn/fast/kernels.h"
#include "nn/fast/shape_cache.h"

namespace facekit::nn::fast {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

constexpr size_t kResidual = 4;  // Conv input Z

struct ConvPlan {
  bool use_reference = false;  // oneDNN rejected this shape
  dnnl::convolution_forward prim;
  memory::desc src, dst;
  memory weights;              // reordered, shared between plans of one layout
  // Made once: each run only points src and dst at its tensors.
  memory src_mem, dst_mem;
  std::unordered_map<int, memory> args;
};

class ConvKernel {
 public:
  ConvKernel(const Node& node, const Tensor& w, const Tensor* bias, const Tensor* slope)
      : nchw_(ops::is_nchw(node)),
        residual_(node.inputs.size() > kResidual && node.inputs[kResidual] >= 0),
        act_(ops::read_activation(node)),
        group_(node.attrs.i("group", 1)),
        w_(w) {
    const memory::dim o = w.dim(0);
    if (bias) bias_ = memory(memory::desc({o}, memory::data_type::f32, tag::a), cpu_engine(), const_cast<float*>(bias->data<float>()));
    if (slope) slope_ = *slope;
  }

  void operator()(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const Tensor& x = *in[0];
    Tensor& y = *out[0];
    if (y.numel() == 0) return;
    ConvPlan* plan = x.numel() == 0 ? nullptr : plans_.find(x.shape());
    if (!plan && x.numel() > 0) plan = &plans_.add({x.shape()}, make_plan(node, x.shape()));
    if (!plan || plan->use_reference || (residual_ && in[kResidual]->shape() != y.shape())) {
      reference_(node, in, out);
      return;
    }
    plan->src_mem.set_data_handle(const_cast<float*>(x.data<float>()));
    plan->dst_mem.set_data_handle(y.data<float>());
    // The sum post-op adds what dst holds. (A binary-add post-op would read Z
    // in place, but it moves oneDNN 2.6 off its brgconv kernels: slower.)
    if (residual_) std::memcpy(y.data<float>(), in[kResidual]->data<float>(), y.nbytes());
    plan->prim.execute(thread_stream(), plan->args);
    thread_stream().wait();
    if (!slope_.empty()) {
      const int64_t n = y.dim(0), o = nchw_ ? y.dim(1) : y.dim(3), hw = y.numel() / (n * o);
      apply_prelu(y.data<float>(), y.data<float>(), nchw_ ? n : n * hw, o, nchw_ ? hw : 1, slope_.data<float>(), slope_.numel());
    }
  }

 private:
  std::unique_ptr<ConvPlan> make_plan(const Node& node, const Shape& x_shape) {
    auto plan = std::make_unique<ConvPlan>();
    try {
      const ops::ImageDims d = ops::image_dims(x_shape, nchw_, "input X");
      const Tensor& w = w_.tensor();
      const memory::dim O = w.dim(0), KH = w.dim(1), KW = w.dim(2), I = w.dim(3);
      ops::Window win = ops::read_window(node, KH, KW);
      const auto [oh, ow] = ops::resolve_padding(node, win, d.h, d.w);
      const tag act_tag = nchw_ ? tag::nchw : tag::nhwc;
      plan->src = memory::desc({d.n, d.c, d.h, d.w}, memory::data_type::f32, act_tag);
      plan->dst = memory::desc({d.n, O, oh, ow}, memory::data_type::f32, act_tag);
      // IR filters are [O, KH, KW, I/group]: oneDNN's ohwi, or gohwi per group.
      const memory::dims w_dims = group_ == 1 ? memory::dims{O, I, KH, KW} : memory::dims{group_, O / group_, I, KH, KW};
      const memory::desc w_any(w_dims, memory::data_type::f32, tag::any);
      const memory::desc bias_md = bias_ ? bias_.get_desc() : memory::desc();
      const dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, plan->src, w_any, bias_md,
          plan->dst, {win.sh, win.sw}, {win.dh - 1, win.dw - 1}, {win.pad_top, win.pad_left},
          {win.pad_bottom, win.pad_right});
      dnnl::post_ops post_ops;
      if (residual_) post_ops.append_sum(1.f);
      append_activation(act_, post_ops);
      dnnl::primitive_attr attr;
      attr.set_post_ops(post_ops);
      const dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu_engine());
      plan->prim = dnnl::convolution_forward(pd);
      plan->weights = w_.in_layout(pd.weights_desc(), memory::desc(w_dims, memory::data_type::f32,
                                                                    group_ == 1 ? tag::ohwi : tag::gohwi));
      plan->src_mem = memory(plan->src, cpu_engine(), DNNL_MEMORY_NONE);
      plan->dst_mem = memory(plan->dst, cpu_engine(), DNNL_MEMORY_NONE);
      plan->args = {{DNNL_ARG_SRC, plan->src_mem}, {DNNL_ARG_WEIGHTS, plan->weights}, {DNNL_ARG_DST, plan->dst_mem}};
      if (bias_) plan->args.emplace(DNNL_ARG_BIAS, bias_);
    } catch (const dnnl::error&) {
      plan->use_reference = true;
    }
    return plan;
  }

  bool nchw_;
  bool residual_;              // input Z, added before the activation
  ops::Activation act_;
  int64_t group_;
  ReorderedWeights w_;
  memory bias_;
  Tensor slope_;               // Prelu slope, applied after the primitive
  Kernel reference_ = zeroing_reference("Conv");
  ShapeCache<ConvPlan> plans_;
};

}  // namespace

Kernel make_conv_kernel(const Graph& g, const Node& node) {
  auto constant = [&](size_t i) { return float_constant(g, node, i); };
  auto present = [&](size_t i) { return has_input(node, i); };
  const Tensor* w = constant(1);
  if (!w || w->rank() != 4 || g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  if ((present(2) && !constant(2)) || (present(3) && !constant(3))) return {};
  if (present(kResidual) && g.values[node.inputs[kResidual]].dtype != DType::kFloat32) return {};
  const int64_t group = node.attrs.i("group", 1);
  if (group < 1 || w->dim(0) % group != 0) return {};
  if (constant(2) && constant(2)->numel() != w->dim(0)) return {};
  const Tensor* slope = constant(3);
  if (slope && slope->numel() != 1 && slope->numel() != w->dim(0)) return {};
  try {
    ops::read_activation(node);
    ops::is_nchw(node);
  } catch (const Error&) {
    return {};  // the reference kernel reports the bad attribute
  }
  // Tensors keep the graph constants' bytes alive (the executor owns the graph).
  auto kernel = std::make_shared<ConvKernel>(node, *w, constant(2), slope);
  return [kernel](const Node& n, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    (*kernel)(n, in, out);
  };
}

}  // namespace facekit::nn::fast
