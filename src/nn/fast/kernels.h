// The oneDNN kernels of the fast executor. Each factory looks at a node of
// the (optimised) graph once and returns its kernel, or an empty Kernel when
// oneDNN does not cover the node (the executor then uses the reference
// kernel). Kernels cache their primitives per input shape and fall back to
// the reference kernel for shapes oneDNN rejects. They receive uninitialised
// outputs (NodeKernel::overwrites) and write every element.
#pragma once

#include "facekit/nn/graph.h"
#include "nn/interpreter.h"

namespace facekit::nn::fast {

// The registry's reference kernel for `op`, zero-filling the outputs first:
// fast kernels get them uninitialised, reference kernels may expect zeros.
Kernel zeroing_reference(const std::string& op);

Kernel make_conv_kernel(const Graph& g, const Node& node);      // Conv
Kernel make_dense_kernel(const Graph& g, const Node& node);     // Dense
Kernel make_pool_kernel(const Graph& g, const Node& node);      // MaxPool, AveragePool
Kernel make_eltwise_kernel(const Graph& g, const Node& node);   // Relu, Sigmoid, Exp, Clip, ...
Kernel make_binary_kernel(const Graph& g, const Node& node);    // Add, Sub, Mul, Div, Max, Min
Kernel make_softmax_kernel(const Graph& g, const Node& node);   // Softmax
Kernel make_prelu_kernel(const Graph& g, const Node& node);     // Prelu, channels-last slope (plain loop)
Kernel make_pad_kernel(const Graph& g, const Node& node);       // Pad, constant mode (block copy)

}  // namespace facekit::nn::fast
