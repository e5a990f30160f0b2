// Helpers shared by the oneDNN kernels: the CPU engine, a stream per calling
// thread, IR shapes as oneDNN dims, and fused activations as post-ops.
#pragma once

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

}  // namespace facekit::nn::fast
