// Conv: 2-D convolution, grouped and depthwise, with bias, an optional
// residual added before the fused activation (input 4, written by the
// passes: Add after Conv), and the activation. Filters are [O, KH, KW, I/group] in both layouts; the kernel
// computes in NHWC and converts NCHW at the edges.
#include <algorithm>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

struct ConvPlan {
  ImageDims in{}, out{};
  int64_t group = 1, in_per_group = 0, out_per_group = 0;
  Window win{};
};

// Validates everything the shapes and attributes allow; unknown dims stay -1.
ConvPlan plan_conv(const Node& node, const std::vector<ValueInfo>& in) {
  const bool nchw = is_nchw(node);
  ConvPlan p;
  p.in = image_dims(in[0].shape, nchw, "input X");
  const Shape& w = in[1].shape;
  require(w.size() == 4, "filter W must be 4-D [O, KH, KW, I/group], got " + shape_str(w));
  for (int64_t d : w) require(d >= 0, "filter W shape " + shape_str(w) + " must be known");
  p.group = node.attrs.i("group", 1);
  require(p.group >= 1, "group must be positive, got " + std::to_string(p.group));
  const int64_t out_ch = w[0];
  p.in_per_group = w[3];
  require(out_ch % p.group == 0, "filter count " + std::to_string(out_ch) + " is not divisible by group " +
                                     std::to_string(p.group));
  p.out_per_group = out_ch / p.group;
  if (p.in.c >= 0) {
    require(p.in.c % p.group == 0,
            "input channels " + std::to_string(p.in.c) + " are not divisible by group " + std::to_string(p.group));
    require(p.in.c / p.group == p.in_per_group, "filter W " + shape_str(w) + " expects " +
                                                    std::to_string(p.in_per_group * p.group) + " input channels, X has " +
                                                    std::to_string(p.in.c));
  }
  if (has_input(in, 2)) {
    const Shape& b = in[2].shape;
    require_dtype(in[2], DType::kFloat32, "bias B");
    const int64_t n = known_numel(b);
    require(b.size() == 1 && (n < 0 || n == out_ch),
            "bias B must be [" + std::to_string(out_ch) + "], got " + shape_str(b));
  }
  const Activation act = read_activation(node);
  check_activation_slope(act, has_input(in, 3) ? &in[3] : nullptr, out_ch);
  p.win = read_window(node, w[1], w[2]);
  const auto [oh, ow] = resolve_padding(node, p.win, p.in.h, p.in.w);
  p.out = ImageDims{p.in.n, oh, ow, out_ch};
  return p;
}

void infer_conv(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 2, 5);
  require_dtype(in[0], DType::kFloat32, "input X");
  require_dtype(in[1], DType::kFloat32, "filter W");
  const ConvPlan p = plan_conv(node, in);
  const Shape y = image_shape(p.out, is_nchw(node));
  if (has_input(in, 4)) {
    require_dtype(in[4], DType::kFloat32, "residual Z");
    const Shape& z = in[4].shape;
    bool same = z.size() == y.size();
    for (size_t d = 0; same && d < y.size(); ++d) same = z[d] < 0 || y[d] < 0 || z[d] == y[d];
    require(same, "residual Z " + shape_str(z) + " must have the output's shape " + shape_str(y));
  }
  out[0] = ValueInfo{DType::kFloat32, y, nullptr};
}

// For output pixel (oy, ox) the window rows/cols that land inside the input.
struct Span {
  int64_t first, last;  // kernel taps [first, last)
};
Span valid_taps(int64_t o, int64_t stride, int64_t pad, int64_t dil, int64_t k, int64_t in) {
  const int64_t origin = o * stride - pad;
  int64_t first = 0, last = k;
  while (first < k && origin + first * dil < 0) ++first;
  while (last > first && origin + (last - 1) * dil >= in) --last;
  return {first, last};
}

// General grouped convolution, NHWC. Weights are regrouped to
// [KH][KW][group][I/group][O/group] so that the innermost loop is an axpy over
// contiguous output channels (vectorisable without reassociation).
void conv_nhwc(const ConvPlan& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t KH = p.win.kh, KW = p.win.kw, G = p.group, CI = p.in_per_group, CO = p.out_per_group;
  const int64_t O = p.out.c, C = p.in.c;
  std::vector<float> wt(static_cast<size_t>(KH * KW * G * CI * CO));
  for (int64_t o = 0; o < O; ++o)
    for (int64_t ky = 0; ky < KH; ++ky)
      for (int64_t kx = 0; kx < KW; ++kx)
        for (int64_t ci = 0; ci < CI; ++ci) {
          const int64_t g = o / CO, oo = o % CO;
          wt[(((ky * KW + kx) * G + g) * CI + ci) * CO + oo] = w[((o * KH + ky) * KW + kx) * CI + ci];
        }
  for (int64_t n = 0; n < p.in.n; ++n)
    for (int64_t oy = 0; oy < p.out.h; ++oy) {
      const Span ys = valid_taps(oy, p.win.sh, p.win.pad_top, p.win.dh, KH, p.in.h);
      for (int64_t ox = 0; ox < p.out.w; ++ox) {
        const Span xs = valid_taps(ox, p.win.sw, p.win.pad_left, p.win.dw, KW, p.in.w);
        float* acc = y + ((n * p.out.h + oy) * p.out.w + ox) * O;
        for (int64_t o = 0; o < O; ++o) acc[o] = bias ? bias[o] : 0.0f;
        for (int64_t ky = ys.first; ky < ys.last; ++ky) {
          const int64_t iy = oy * p.win.sh - p.win.pad_top + ky * p.win.dh;
          for (int64_t kx = xs.first; kx < xs.last; ++kx) {
            const int64_t ix = ox * p.win.sw - p.win.pad_left + kx * p.win.dw;
            const float* xp = x + ((n * p.in.h + iy) * p.in.w + ix) * C;
            const float* wp = wt.data() + (ky * KW + kx) * G * CI * CO;
            for (int64_t g = 0; g < G; ++g) {
              float* a = acc + g * CO;
              for (int64_t ci = 0; ci < CI; ++ci) {
                const float xv = xp[g * CI + ci];
                const float* wr = wp + (g * CI + ci) * CO;
                for (int64_t oo = 0; oo < CO; ++oo) a[oo] += xv * wr[oo];
              }
            }
          }
        }
      }
    }
}

// Depthwise (group == C, one input channel per group): output channel o
// reads input channel o / multiplier. Weights regrouped to [KH][KW][O].
void depthwise_nhwc(const ConvPlan& p, const float* x, const float* w, const float* bias, float* y) {
  const int64_t KH = p.win.kh, KW = p.win.kw, O = p.out.c, C = p.in.c, M = p.out_per_group;
  std::vector<float> wt(static_cast<size_t>(KH * KW * O));
  for (int64_t o = 0; o < O; ++o)
    for (int64_t k = 0; k < KH * KW; ++k) wt[k * O + o] = w[o * KH * KW + k];
  for (int64_t n = 0; n < p.in.n; ++n)
    for (int64_t oy = 0; oy < p.out.h; ++oy) {
      const Span ys = valid_taps(oy, p.win.sh, p.win.pad_top, p.win.dh, KH, p.in.h);
      for (int64_t ox = 0; ox < p.out.w; ++ox) {
        const Span xs = valid_taps(ox, p.win.sw, p.win.pad_left, p.win.dw, KW, p.in.w);
        float* acc = y + ((n * p.out.h + oy) * p.out.w + ox) * O;
        for (int64_t o = 0; o < O; ++o) acc[o] = bias ? bias[o] : 0.0f;
        for (int64_t ky = ys.first; ky < ys.last; ++ky) {
          const int64_t iy = oy * p.win.sh - p.win.pad_top + ky * p.win.dh;
          for (int64_t kx = xs.first; kx < xs.last; ++kx) {
            const int64_t ix = ox * p.win.sw - p.win.pad_left + kx * p.win.dw;
            const float* xp = x + ((n * p.in.h + iy) * p.in.w + ix) * C;
            const float* wr = wt.data() + (ky * KW + kx) * O;
            if (M == 1) {
              for (int64_t o = 0; o < O; ++o) acc[o] += xp[o] * wr[o];
            } else {
              for (int64_t o = 0; o < O; ++o) acc[o] += xp[o / M] * wr[o];
            }
          }
        }
      }
    }
}

void run_conv(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(in.size() >= 2 && in[0] && in[1], "needs inputs X and W");
  std::vector<ValueInfo> info;
  for (const Tensor* t : in) info.push_back(t ? ValueInfo{t->dtype(), t->shape(), t} : ValueInfo{});
  const ConvPlan p = plan_conv(node, info);
  const bool nchw = is_nchw(node);
  const Tensor x = nchw ? nchw_to_nhwc(*in[0]) : *in[0];
  Tensor y = nchw ? Tensor(DType::kFloat32, image_shape(p.out, false)) : *out[0];
  const float* bias = has_input(in, 2) ? in[2]->data<float>() : nullptr;
  if (p.in_per_group == 1 && p.group == p.in.c && p.group > 1)
    depthwise_nhwc(p, x.data<float>(), in[1]->data<float>(), bias, y.data<float>());
  else
    conv_nhwc(p, x.data<float>(), in[1]->data<float>(), bias, y.data<float>());
  if (has_input(in, 4)) {
    require(in[4]->shape() == out[0]->shape(), "residual Z must have the output's shape");
    const Tensor z = nchw ? nchw_to_nhwc(*in[4]) : *in[4];
    float* yp = y.data<float>();
    const float* zp = z.data<float>();
    for (int64_t i = 0; i < y.numel(); ++i) yp[i] += zp[i];
  }
  apply_activation(read_activation(node), y.data<float>(), y.numel(), p.out.c,
                        has_input(in, 3) ? in[3] : nullptr);
  if (nchw) {
    const Tensor back = nhwc_to_nchw(y);
    std::copy_n(back.data<float>(), back.numel(), out[0]->data<float>());
  }
}

}  // namespace

void register_conv_ops(OpRegistry& r) { r.add(OpDef{"Conv", infer_conv, run_conv}); }

}  // namespace facekit::nn
