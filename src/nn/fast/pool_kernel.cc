// MaxPool / AveragePool on oneDNN's pooling_forward. Average pooling divides
// by the cells inside the input (pooling_avg_exclude_padding) unless
// count_include_pad. ceil_mode and dilated windows use the reference kernel.
#include "nn/fast/kernels.h"
#include "nn/fast/unary_plan.h"

namespace facekit::nn::fast {

Kernel make_pool_kernel(const Graph& g, const Node& node) {
  if (g.values[node.inputs[0]].dtype != DType::kFloat32) return {};
  if (node.attrs.i("ceil_mode", 0) != 0) return {};
  if (node.attrs.ints("dilations", {1, 1}) != std::vector<int64_t>{1, 1}) return {};
  const auto kernel = node.attrs.has("kernel") ? node.attrs.ints("kernel") : node.attrs.ints("kernel_shape");
  if (kernel.size() != 2) return {};
  dnnl::algorithm alg = dnnl::algorithm::pooling_max;
  if (node.op == "AveragePool")
    alg = node.attrs.i("count_include_pad", 0) != 0 ? dnnl::algorithm::pooling_avg_include_padding
                                                     : dnnl::algorithm::pooling_avg_exclude_padding;
  return make_unary_kernel(node.op, [alg, kernel](const Node& n, const Shape& x, const Shape&) -> std::optional<UnaryPlan> {
    using dnnl::memory;
    const bool nchw = ops::is_nchw(n);
    const ops::ImageDims d = ops::image_dims(x, nchw, "input X");
    ops::Window win = ops::read_window(n, kernel[0], kernel[1]);
    const auto [oh, ow] = ops::resolve_padding(n, win, d.h, d.w);
    const auto t = nchw ? memory::format_tag::nchw : memory::format_tag::nhwc;
    UnaryPlan plan;
    plan.src = memory::desc({d.n, d.c, d.h, d.w}, memory::data_type::f32, t);
    plan.dst = memory::desc({d.n, d.c, oh, ow}, memory::data_type::f32, t);
    const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, alg, plan.src, plan.dst,
                                           {win.sh, win.sw}, {win.kh, win.kw}, {win.pad_top, win.pad_left},
                                           {win.pad_bottom, win.pad_right});
    plan.prim = dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(desc, cpu_engine()));
    return plan;
  });
}

}  // namespace facekit::nn::fast
