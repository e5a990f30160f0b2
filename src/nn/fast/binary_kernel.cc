// Add Sub Mul Div Max Min on oneDNN's binary primitive. oneDNN broadcasts
// only its second operand, so the kernel runs when one operand already has
// the output's shape (swapping operands of commutative ops when it is the
// second); other broadcasts use the reference kernel. Plain loops instead of
// oneDNN: a second operand that varies along the last axis only, with few
// channels (an RGB mean; oneDNN's broadcast over a short innermost axis is
// ~20× slower), a scalar one, and small outputs (the per-call cost of a
// primitive, a few µs, dwarfs the arithmetic on the age/gender heads' [1, 3]).
#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/fast/dnnl_util.h"
#include "nn/fast/kernels.h"
#include "nn/fast/shape_cache.h"

namespace facekit::nn::fast {
namespace {

using dnnl::memory;

// Below this many channels, a last-axis broadcast runs the plain loop.
constexpr int64_t kMinDnnlChannels = 16;
// Below this many output elements, any supported form runs the plain loop.
constexpr int64_t kMinDnnlElements = 4096;

struct BinaryPlan {
  bool use_reference = true;
  bool swapped = false;  // src0 is input 1
  // Plain loop: src1 element i mod `channels` (src1 varies along the last
  // axis only, or is a scalar: channels 1), or element i when `elementwise`.
  int64_t channels = 0;
  bool elementwise = false;
  dnnl::binary prim;
  memory::desc src0, src1, dst;
};

// `s` left-padded with 1s to `rank` dims.
Shape padded(const Shape& s, size_t rank) {
  Shape out(rank - s.size(), 1);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

BinaryPlan make_plan(dnnl::algorithm alg, bool commutative, const Shape& a, const Shape& b, const Shape& y) {
  BinaryPlan plan;
  if (shape_numel(y) == 0 || a.size() > y.size() || b.size() > y.size()) return plan;
  const Shape pa = padded(a, y.size()), pb = padded(b, y.size());
  if (pa == y) {
    plan.swapped = false;
  } else if (pb == y && commutative) {
    plan.swapped = true;
  } else {
    return plan;
  }
  const Shape& src1 = plan.swapped ? pa : pb;
  for (size_t i = 0; i < y.size(); ++i)
    if (src1[i] != 1 && src1[i] != y[i]) return plan;
  const int64_t src1_numel = shape_numel(src1);
  const bool small = shape_numel(y) < kMinDnnlElements;
  if (src1_numel == 1 || (!y.empty() && src1_numel == y.back() && (small || y.back() < kMinDnnlChannels))) {
    plan.channels = src1_numel;
    plan.use_reference = false;
    return plan;
  }
  if (small && src1 == y) {
    plan.elementwise = true;
    plan.use_reference = false;
    return plan;
  }
  try {
    plan.dst = plan.src0 = plain_desc(dims_of(y));
    plan.src1 = plain_desc(dims_of(src1));
    const dnnl::binary::desc desc(alg, plan.src0, plan.src1, plan.dst);
    plan.prim = dnnl::binary(dnnl::binary::primitive_desc(desc, cpu_engine()));
    plan.use_reference = false;
  } catch (const dnnl::error&) {
    plan.use_reference = true;
  }
  return plan;
}

// y[i] = op(a[i], b[i mod channels]) for `n` elements, or op(a[i], b[i])
// when channels is 0. b is tiled to a multiple of 16 floats so that the
// inner loop vectorises.
template <class Op>
void channel_loop(const float* a, const float* b, float* y, int64_t n, int64_t channels, Op op) {
  if (channels == 0) {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], b[i]);
    return;
  }
  std::vector<float> tile(static_cast<size_t>(channels * 16));
  for (size_t i = 0; i < tile.size(); ++i) tile[i] = b[i % channels];
  const auto len = static_cast<int64_t>(tile.size());
  int64_t base = 0;
  for (; base + len <= n; base += len)
    for (int64_t j = 0; j < len; ++j) y[base + j] = op(a[base + j], tile[j]);
  for (int64_t j = 0; base + j < n; ++j) y[base + j] = op(a[base + j], tile[j]);
}

// The loop for `alg`, with the reference kernel's semantics (Max and Min
// propagate NaN).
void run_channel_loop(dnnl::algorithm alg, const float* a, const float* b, float* y, int64_t n, int64_t channels) {
  using A = dnnl::algorithm;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  switch (alg) {
    case A::binary_add: return channel_loop(a, b, y, n, channels, [](float u, float v) { return u + v; });
    case A::binary_sub: return channel_loop(a, b, y, n, channels, [](float u, float v) { return u - v; });
    case A::binary_mul: return channel_loop(a, b, y, n, channels, [](float u, float v) { return u * v; });
    case A::binary_div: return channel_loop(a, b, y, n, channels, [](float u, float v) { return u / v; });
    case A::binary_max:
      return channel_loop(a, b, y, n, channels,
                          [nan](float u, float v) { return std::isnan(u) || std::isnan(v) ? nan : std::max(u, v); });
    case A::binary_min:
      return channel_loop(a, b, y, n, channels,
                          [nan](float u, float v) { return std::isnan(u) || std::isnan(v) ? nan : std::min(u, v); });
    default: throw Error("binary kernel: unexpected algorithm");
  }
}

}  // namespace

Kernel make_binary_kernel(const Graph& g, const Node& node) {
  using alg = dnnl::algorithm;
  static const std::vector<std::pair<std::string, alg>> algs = {
      {"Add", alg::binary_add}, {"Sub", alg::binary_sub}, {"Mul", alg::binary_mul},
      {"Div", alg::binary_div}, {"Max", alg::binary_max}, {"Min", alg::binary_min}};
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return {};
  for (int v : node.inputs)
    if (v < 0 || g.values[v].dtype != DType::kFloat32) return {};
  alg algorithm{};
  bool found = false;
  for (const auto& [name, a] : algs)
    if (name == node.op) algorithm = a, found = true;
  if (!found) return {};
  const bool commutative = node.op != "Sub" && node.op != "Div";
  auto cache = std::make_shared<ShapeCache<BinaryPlan>>();
  const Kernel reference = zeroing_reference(node.op);
  return [cache, algorithm, commutative, reference](const Node& n, const std::vector<const Tensor*>& in,
                                                    std::vector<Tensor*>& out) {
    const Tensor &a = *in[0], &b = *in[1];
    Tensor& y = *out[0];
    BinaryPlan* plan = cache->find({a.shape(), b.shape()});
    if (!plan)
      plan = &cache->add({a.shape(), b.shape()},
                         std::make_unique<BinaryPlan>(make_plan(algorithm, commutative, a.shape(), b.shape(), y.shape())));
    if (plan->use_reference) {
      reference(n, in, out);
      return;
    }
    const Tensor& s0 = plan->swapped ? b : a;
    const Tensor& s1 = plan->swapped ? a : b;
    if (plan->channels > 0 || plan->elementwise) {
      run_channel_loop(algorithm, s0.data<float>(), s1.data<float>(), y.data<float>(), y.numel(), plan->channels);
      return;
    }
    const dnnl::engine& eng = cpu_engine();
    memory m0(plan->src0, eng, const_cast<float*>(s0.data<float>()));
    memory m1(plan->src1, eng, const_cast<float*>(s1.data<float>()));
    memory md(plan->dst, eng, y.data<float>());
    plan->prim.execute(thread_stream(), {{DNNL_ARG_SRC_0, m0}, {DNNL_ARG_SRC_1, m1}, {DNNL_ARG_DST, md}});
    thread_stream().wait();
  };
}

}  // namespace facekit::nn::fast
