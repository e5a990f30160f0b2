#include "nn/passes/passes.h"

namespace facekit::nn {

void optimize(Graph& g) {
  // Patterns first (they create Prelu, Softmax, Clip, Relu and Dense nodes), then the
  // folds into Conv/Dense: affine ops, then a residual Add, before the activation that
  // follows them.
  fuse_prelu(g);
  fuse_softmax(g);
  fuse_clip(g);
  fuse_matmul_to_dense(g);
  fuse_pad_into_conv(g);
  fuse_conv_affine(g);
  fuse_conv_residual(g);
  fuse_conv_activation(g);
  g.finalize();
}

}  // namespace facekit::nn
