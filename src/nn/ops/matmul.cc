// MatMul: ONNX (numpy) matrix product; 1-D operands are promoted to matrices
// and the added axis removed again; batch dims broadcast.
#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

struct MatMulPlan {
  Shape a, b;        // both at least 2-D after promotion
  Shape batch;       // broadcast batch dims
  Shape out;         // the reported output shape
};

MatMulPlan plan_matmul(const Shape& a_in, const Shape& b_in) {
  require(!a_in.empty() && !b_in.empty(), "MatMul operands must have rank >= 1, got " + shape_str(a_in) + " and " +
                                              shape_str(b_in));
  MatMulPlan p;
  p.a = a_in.size() == 1 ? Shape{1, a_in[0]} : a_in;
  p.b = b_in.size() == 1 ? Shape{b_in[0], 1} : b_in;
  const int64_t ka = p.a[p.a.size() - 1], kb = p.b[p.b.size() - 2];
  require(ka < 0 || kb < 0 || ka == kb, "inner dimensions differ: " + shape_str(a_in) + " x " + shape_str(b_in));
  p.batch = broadcast_shapes(Shape(p.a.begin(), p.a.end() - 2), Shape(p.b.begin(), p.b.end() - 2));
  p.out = p.batch;
  if (a_in.size() > 1) p.out.push_back(p.a[p.a.size() - 2]);
  if (b_in.size() > 1) p.out.push_back(p.b.back());
  return p;
}

void infer_matmul(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 2, 2);
  require_dtype(in[0], DType::kFloat32, "input A");
  require_dtype(in[1], DType::kFloat32, "input B");
  out[0] = ValueInfo{DType::kFloat32, plan_matmul(in[0].shape, in[1].shape).out, nullptr};
}

void run_matmul(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(in.size() == 2 && in[0] && in[1], "needs inputs A and B");
  const MatMulPlan p = plan_matmul(in[0]->shape(), in[1]->shape());
  const int64_t M = p.a[p.a.size() - 2], K = p.a.back(), N = p.b.back();
  require(K == p.b[p.b.size() - 2], "inner dimensions differ");
  const Shape a_batch(p.a.begin(), p.a.end() - 2), b_batch(p.b.begin(), p.b.end() - 2);
  const auto sa = broadcast_strides(a_batch, p.batch);
  const auto sb = broadcast_strides(b_batch, p.batch);
  const float* A = in[0]->data<float>();
  const float* B = in[1]->data<float>();
  float* Y = out[0]->data<float>();
  require(out[0]->numel() == known_numel(p.batch) * M * N, "output shape is inconsistent");
  broadcast_loop(p.batch, sa, sb, [&](int64_t bo, int64_t ba, int64_t bb) {
    const float* a = A + ba * M * K;
    const float* b = B + bb * K * N;
    float* y = Y + bo * M * N;
    for (int64_t i = 0; i < M; ++i) {
      float* row = y + i * N;
      for (int64_t j = 0; j < N; ++j) row[j] = 0.0f;
      for (int64_t k = 0; k < K; ++k) {
        const float av = a[i * K + k];
        const float* br = b + k * N;
        for (int64_t j = 0; j < N; ++j) row[j] += av * br[j];
      }
    }
  });
}

}  // namespace

void register_matmul_ops(OpRegistry& r) { r.add(OpDef{"MatMul", infer_matmul, run_matmul}); }

}  // namespace facekit::nn
