// Softmax along one axis (ONNX opset 13), max-subtracted for stability.
#include <cmath>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

void infer_softmax(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  require_dtype(in[0], DType::kFloat32, "input X");
  require(!in[0].shape.empty(), "input X must have rank >= 1");
  normalize_axis(node.attrs.i("axis", -1), static_cast<int>(in[0].shape.size()), "axis");
  out[0] = ValueInfo{DType::kFloat32, in[0].shape, nullptr};
}

void run_softmax(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0] && in[0]->rank() >= 1, "needs an input of rank >= 1");
  const Tensor& x = *in[0];
  const int axis = normalize_axis(node.attrs.i("axis", -1), x.rank(), "axis");
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= x.dim(i);
  for (int i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
  const int64_t len = x.dim(axis);
  const float* px = x.data<float>();
  float* py = out[0]->data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * len * inner + i;
      float m = -INFINITY;
      for (int64_t k = 0; k < len; ++k) m = std::max(m, px[base + k * inner]);
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) {
        const float e = std::exp(px[base + k * inner] - m);
        py[base + k * inner] = e;
        sum += e;
      }
      const auto scale = static_cast<float>(1.0 / sum);
      for (int64_t k = 0; k < len; ++k) py[base + k * inner] *= scale;
    }
}

}  // namespace

void register_softmax_ops(OpRegistry& r) { r.add(OpDef{"Softmax", infer_softmax, run_softmax}); }

}  // namespace facekit::nn
