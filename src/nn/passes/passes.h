// Graph rewrite passes: each recognises one pattern that the loaders leave
// decomposed (or unfused) and replaces it with the operator the executors run
// best. Every pass keeps the graph's semantics (up to float rounding), its
// inputs and the names of its outputs. Patterns are rewritten only when their
// intermediate values have no reader outside the pattern and are not graph
// outputs.
#pragma once

#include "facekit/nn/graph.h"

namespace facekit::nn {

// relu(x) − a·relu(−x), relu(x) + k·(x − |x|) and max(x, 0) + a·min(x, 0)
// → Prelu(x, slope).
void fuse_prelu(Graph& g);
// exp(x − max(x)) / sum(exp(x − max(x))) over one axis → Softmax.
void fuse_softmax(Graph& g);
// Min(Max(x, lo), hi) and Max(Min(x, hi), lo) with scalar constants → Clip;
// Max(x, 0) → Relu.
void fuse_clip(Graph& g);
// Zero Pad of H and W before a Conv (VALID or explicit pads) → Conv pads.
void fuse_pad_into_conv(Graph& g);
// MatMul(A, B) with B a constant matrix → Dense(A, Bᵀ).
void fuse_matmul_to_dense(Graph& g);
// Conv/Dense followed by Mul, Add or Sub of a per-channel constant: the
// constant is folded into the weights and bias (folded batch norm, bias add).
void fuse_conv_affine(Graph& g);
// Add(Conv(x), z) with z of the output's shape, the Conv without activation
// → Conv with residual input Z (added before the activation).
void fuse_conv_residual(Graph& g);
// Conv/Dense followed by Relu, Clip, LeakyRelu, Prelu (per-channel slope),
// Sigmoid or Tanh → the `activation` attribute; further Relu/Clip nodes after
// a clamping activation merge into it.
void fuse_conv_activation(Graph& g);

// Runs all of the above, in an order where each pass feeds the next, then
// re-finalizes the graph (which checks the result).
void optimize(Graph& g);

}  // namespace facekit::nn
