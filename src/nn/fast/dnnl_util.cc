#include "nn/fast/dnnl_util.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace facekit::nn::fast {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

dnnl::memory::dims dims_of(const Shape& s) {
  if (s.empty()) return {1};
  return dnnl::memory::dims(s.begin(), s.end());
}

dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size());
  dnnl::memory::dim acc = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = acc;
    acc *= dims[i];
  }
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

void append_activation(const ops::Activation& act, dnnl::post_ops& post_ops) {
  using A = ops::Activation;
  using alg = dnnl::algorithm;
  // Infinite clip bounds become the largest floats (same result, and no
  // infinities inside the JIT's arithmetic).
  auto finite = [](float v) { return std::isinf(v) ? (v < 0 ? -FLT_MAX : FLT_MAX) : v; };
  switch (act.kind) {
    case A::kNone: case A::kPrelu: return;
    case A::kRelu: post_ops.append_eltwise(1.0f, alg::eltwise_relu, 0.0f, 0.0f); return;
    case A::kRelu6: post_ops.append_eltwise(1.0f, alg::eltwise_clip, 0.0f, 6.0f); return;
    case A::kLeakyRelu: post_ops.append_eltwise(1.0f, alg::eltwise_relu, act.alpha, 0.0f); return;
    case A::kSigmoid: post_ops.append_eltwise(1.0f, alg::eltwise_logistic, 0.0f, 0.0f); return;
    case A::kTanh: post_ops.append_eltwise(1.0f, alg::eltwise_tanh, 0.0f, 0.0f); return;
    case A::kClip: post_ops.append_eltwise(1.0f, alg::eltwise_clip, finite(act.lo), finite(act.hi)); return;
  }
}

// max(v, 0) + s·min(v, 0) equals PReLU exactly (one of the terms is ±0) and,
// unlike a select, vectorises without masked stores.
__attribute__((target_clones("avx512f", "avx2", "default")))
void apply_prelu(const float* x, float* y, int64_t outer, int64_t channels, int64_t inner, const float* slope,
                 int64_t slope_count) {
  if (inner == 1 && slope_count != 1) {  // channels last: vectorise across channels
    for (int64_t o = 0; o < outer; ++o) {
      const float* xr = x + o * channels;
      float* yr = y + o * channels;
      for (int64_t c = 0; c < channels; ++c) yr[c] = std::max(xr[c], 0.0f) + slope[c] * std::min(xr[c], 0.0f);
    }
    return;
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const float s = slope[slope_count == 1 ? 0 : c];
      const int64_t base = (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) y[base + i] = std::max(x[base + i], 0.0f) + s * std::min(x[base + i], 0.0f);
    }
}

const Tensor* float_constant(const Graph& g, const Node& node, size_t i) {
  if (!has_input(node, i)) return nullptr;
  const auto& c = g.values[node.inputs[i]].constant;
  return c && c->dtype() == DType::kFloat32 ? &*c : nullptr;
}

bool has_input(const Node& node, size_t i) { return i < node.inputs.size() && node.inputs[i] >= 0; }

dnnl::memory ReorderedWeights::in_layout(const dnnl::memory::desc& want, const dnnl::memory::desc& user) {
  for (auto& [md, mem] : reordered_)
    if (md == want) return mem;
  dnnl::memory src(user, cpu_engine(), const_cast<float*>(weights_.data<float>()));
  dnnl::memory dst(want, cpu_engine());
  dnnl::reorder(src, dst).execute(thread_stream(), src, dst);
  thread_stream().wait();
  reordered_.emplace_back(want, dst);
  return dst;
}

}  // namespace facekit::nn::fast
