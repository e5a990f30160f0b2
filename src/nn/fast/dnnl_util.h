// Helpers shared by the oneDNN kernels: the CPU engine, a stream per calling
// thread, IR shapes as oneDNN dims, and fused activations as post-ops.
#pragma once

#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "facekit/nn/graph.h"
#include "nn/ops/common.h"

namespace facekit::nn::fast {

// The process-wide CPU engine (creating one is costly; it is thread-safe).
const dnnl::engine& cpu_engine();
// A stream for the calling thread: CPU streams are cheap but not meant to be
// shared between threads.
dnnl::stream& thread_stream();

// A shape as oneDNN dims; rank 0 becomes {1} (oneDNN has no scalars).
dnnl::memory::dims dims_of(const Shape& s);
// A dense row-major f32 descriptor of `dims` (any rank oneDNN takes).
dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims);

// Appends `act` to `post_ops` as an eltwise post-op. Prelu is not appended:
// oneDNN 2.6 has a prelu post-op, but with it every convolution falls back to
// its reference implementation, so kernels apply it with apply_prelu().
void append_activation(const ops::Activation& act, dnnl::post_ops& post_ops);

// PReLU from x into y (which may be x) over data laid out
// [outer][channels][inner]; `slope` holds `channels` values or 1. Branch-free
// and compiled for AVX-512, AVX2 and baseline x86-64, chosen at run time.
void apply_prelu(const float* x, float* y, int64_t outer, int64_t channels, int64_t inner, const float* slope,
                 int64_t slope_count);

// Input `i` of `node` when it is present and a float32 constant, else null.
const Tensor* float_constant(const Graph& g, const Node& node, size_t i);
// Whether input `i` of `node` is given (optional inputs may be omitted).
bool has_input(const Node& node, size_t i);

// A constant weight tensor in whichever layouts the primitives ask for: each
// layout is reordered from the IR's once, then reused.
class ReorderedWeights {
 public:
  explicit ReorderedWeights(Tensor weights) : weights_(std::move(weights)) {}
  const Tensor& tensor() const { return weights_; }
  // The weights in layout `want`, read from the IR's bytes as layout `user`.
  dnnl::memory in_layout(const dnnl::memory::desc& want, const dnnl::memory::desc& user);

 private:
  Tensor weights_;  // shares the graph constant's bytes
  std::vector<std::pair<dnnl::memory::desc, dnnl::memory>> reordered_;
};

}  // namespace facekit::nn::fast
