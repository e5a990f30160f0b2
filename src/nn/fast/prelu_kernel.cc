// Standalone Prelu (one the passes could not fuse into a Conv/Dense) with a
// constant slope of 1 value or one per channel on the last axis — the
// channels-last case of the zoo: apply_prelu's vectorised loop instead of the
// reference's general broadcast walk.
#include "nn/fast/dnnl_util.h"
#include "nn/fast/kernels.h"

namespace facekit::nn::fast {

Kernel make_prelu_kernel(const Graph& g, const Node& node) {
  if (node.inputs.size() != 2 || node.inputs[0] < 0 || node.inputs[1] < 0) return {};
  const Value& x = g.values[node.inputs[0]];
  const auto& slope = g.values[node.inputs[1]].constant;
  if (x.dtype != DType::kFloat32 || !slope || slope->dtype() != DType::kFloat32 || x.shape.empty()) return {};
  // The slope may vary along the last axis only.
  for (int i = 0; i + 1 < slope->rank(); ++i)
    if (slope->dim(i) != 1) return {};
  const int64_t channels = slope->numel();
  if (slope->rank() > static_cast<int>(x.shape.size())) return {};
  const Tensor s = *slope;
  const Kernel reference = zeroing_reference("Prelu");
  return [s, channels, reference](const Node& n, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const Tensor& xt = *in[0];
    Tensor& y = *out[0];
    if (xt.rank() == 0 || (channels != 1 && xt.dim(-1) != channels) || y.numel() != xt.numel()) {
      reference(n, in, out);
      return;
    }
    if (xt.numel() == 0) return;
    if (channels == 1)
      fast::apply_prelu(xt.data<float>(), y.data<float>(), 1, 1, xt.numel(), s.data<float>(), 1);
    else
      fast::apply_prelu(xt.data<float>(), y.data<float>(), xt.numel() / channels, channels, 1, s.data<float>(), channels);
  };
}

}  // namespace facekit::nn::fast
