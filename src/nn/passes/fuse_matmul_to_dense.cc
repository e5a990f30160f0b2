// MatMul by a constant 2-D matrix → Dense (TF MatMul, ONNX Gemm's general
// form, face-api's final projection): Dense is what the fast executor runs
// on oneDNN's inner product, and what the bias/activation passes fold into.
// A[..., K] · B[K, N] = Dense(A, W = Bᵀ [N, K]).
#include "nn/passes/graph_index.h"
#include "nn/passes/passes.h"

namespace facekit::nn {

void fuse_matmul_to_dense(Graph& g) {
  for (Node& node : g.nodes) {
    if (node.op != "MatMul" || node.inputs.size() != 2 || node.outputs.size() != 1) continue;
    const Tensor* b = passes::float_constant(g, node.inputs[1]);
    const int a = node.inputs[0];
    if (!b || b->rank() != 2 || a < 0 || g.values[a].dtype != DType::kFloat32 || g.values[a].shape.empty()) continue;
    const int64_t K = b->dim(0), N = b->dim(1);
    Tensor w(DType::kFloat32, {N, K});
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) w.data<float>()[n * K + k] = b->data<float>()[k * N + n];
    const int w_id = g.add_constant(g.values[node.outputs[0]].name + "/dense_weights", std::move(w));
    node.op = "Dense";
    node.inputs = {a, w_id};
    node.attrs = Attributes{};
  }
}

}  // namespace facekit::nn
