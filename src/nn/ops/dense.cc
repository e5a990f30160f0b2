// Dense: fully connected layer Y[..., N] = X[..., K] · W[N, K]ᵀ + B, with a
// fused activation over the last axis.
#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

void infer_dense(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 2, 4);
  require_dtype(in[0], DType::kFloat32, "input X");
  require_dtype(in[1], DType::kFloat32, "weights W");
  const Shape& x = in[0].shape;
  const Shape& w = in[1].shape;
  require(!x.empty(), "input X must have rank >= 1");
  require(w.size() == 2, "weights W must be 2-D [N, K], got " + shape_str(w));
  require(x.back() < 0 || w[1] < 0 || x.back() == w[1],
          "input X " + shape_str(x) + " does not match weights W " + shape_str(w) + " (K differs)");
  if (has_input(in, 2)) {
    require_dtype(in[2], DType::kFloat32, "bias B");
    const int64_t n = known_numel(in[2].shape);
    require(in[2].shape.size() == 1 && (n < 0 || w[0] < 0 || n == w[0]),
            "bias B " + shape_str(in[2].shape) + " must be [" + std::to_string(w[0]) + "]");
  }
  check_activation_slope(read_activation(node), has_input(in, 3) ? &in[3] : nullptr, w[0]);
  Shape y = x;
  y.back() = w[0];
  out[0] = ValueInfo{DType::kFloat32, y, nullptr};
}

void run_dense(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(in.size() >= 2 && in[0] && in[1], "needs inputs X and W");
  const Tensor& x = *in[0];
  const Tensor& w = *in[1];
  require(x.rank() >= 1 && w.rank() == 2 && x.dim(-1) == w.dim(1),
          "input X " + shape_str(x.shape()) + " does not match weights W " + shape_str(w.shape()));
  const int64_t N = w.dim(0), K = w.dim(1);
  int64_t rows = 1;
  for (int i = 0; i + 1 < x.rank(); ++i) rows *= x.dim(i);
  const Tensor* b = has_input(in, 2) ? in[2] : nullptr;
  require(!b || b->numel() == N, "bias B " + shape_str(b ? b->shape() : Shape{}) + " must hold N values");
  require(out[0]->numel() == rows * N, "output shape " + shape_str(out[0]->shape()) + " is inconsistent");
  // Wᵀ [K][N]: the inner loop then runs over contiguous outputs.
  std::vector<float> wt(static_cast<size_t>(K * N));
  const float* wp = w.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) wt[k * N + n] = wp[n * K + k];
  const float* xp = x.data<float>();
  float* yp = out[0]->data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    float* acc = yp + r * N;
    for (int64_t n = 0; n < N; ++n) acc[n] = b ? b->data<float>()[n] : 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      const float xv = xp[r * K + k];
      const float* wr = wt.data() + k * N;
      for (int64_t n = 0; n < N; ++n) acc[n] += xv * wr[n];
    }
  }
  apply_activation(read_activation(node), yp, rows * N, N, has_input(in, 3) ? in[3] : nullptr);
}

}  // namespace

void register_dense_ops(OpRegistry& r) { r.add(OpDef{"Dense", infer_dense, run_dense}); }

}  // namespace facekit::nn
