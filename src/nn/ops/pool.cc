// MaxPool and AveragePool over 2-D windows. The kernel computes in NHWC with
// the channel loop innermost; NCHW is converted at the edges.
#include <algorithm>
#include <cmath>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

struct PoolPlan {
  ImageDims in{}, out{};
  Window win{};
};

PoolPlan plan_pool(const Node& node, const Shape& x) {
  PoolPlan p;
  p.in = image_dims(x, is_nchw(node), "input X");
  // "kernel" per the contract; ONNX's "kernel_shape" is accepted too.
  const auto kernel = node.attrs.has("kernel") ? node.attrs.ints("kernel") : node.attrs.ints("kernel_shape");
  require(kernel.size() == 2, "kernel must have 2 values [h, w], got " + std::to_string(kernel.size()));
  p.win = read_window(node, kernel[0], kernel[1]);
  const auto [oh, ow] = resolve_padding(node, p.win, p.in.h, p.in.w);
  // A window lying wholly in the padding would have no input cell.
  require(p.win.pad_top < (p.win.kh - 1) * p.win.dh + 1 && p.win.pad_bottom < (p.win.kh - 1) * p.win.dh + 1 &&
              p.win.pad_left < (p.win.kw - 1) * p.win.dw + 1 && p.win.pad_right < (p.win.kw - 1) * p.win.dw + 1,
          "pads must be smaller than the kernel");
  p.out = ImageDims{p.in.n, oh, ow, p.in.c};
  return p;
}

void infer_pool(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  require_dtype(in[0], DType::kFloat32, "input X");
  const PoolPlan p = plan_pool(node, in[0].shape);
  out[0] = ValueInfo{DType::kFloat32, image_shape(p.out, is_nchw(node)), nullptr};
}

// NHWC pooling. Average divides by the cells inside the input, or with
// count_include_pad by the cells inside the padded input.
void pool_nhwc(bool is_max, bool count_pad, const PoolPlan& p, const float* x, float* y) {
  const Window& w = p.win;
  const int64_t C = p.in.c;
  std::vector<float> acc(static_cast<size_t>(C));
  for (int64_t n = 0; n < p.in.n; ++n)
    for (int64_t oy = 0; oy < p.out.h; ++oy)
      for (int64_t ox = 0; ox < p.out.w; ++ox) {
        std::fill(acc.begin(), acc.end(), is_max ? -INFINITY : 0.0f);
        int64_t cells = 0, padded_cells = 0;
        for (int64_t ky = 0; ky < w.kh; ++ky) {
          const int64_t iy = oy * w.sh - w.pad_top + ky * w.dh;
          if (iy >= p.in.h + w.pad_bottom) continue;  // beyond the padding (ceil_mode)
          for (int64_t kx = 0; kx < w.kw; ++kx) {
            const int64_t ix = ox * w.sw - w.pad_left + kx * w.dw;
            if (ix >= p.in.w + w.pad_right) continue;
            ++padded_cells;
            if (iy < 0 || ix < 0 || iy >= p.in.h || ix >= p.in.w) continue;
            ++cells;
            const float* xp = x + ((n * p.in.h + iy) * p.in.w + ix) * C;
            if (is_max) {
              for (int64_t c = 0; c < C; ++c) acc[c] = std::max(acc[c], xp[c]);
            } else {
              for (int64_t c = 0; c < C; ++c) acc[c] += xp[c];
            }
          }
        }
        float* yp = y + ((n * p.out.h + oy) * p.out.w + ox) * C;
        const int64_t divisor = count_pad ? padded_cells : cells;
        for (int64_t c = 0; c < C; ++c)
          yp[c] = is_max ? acc[c] : divisor ? acc[c] / static_cast<float>(divisor) : 0.0f;
      }
}

OpDef pool_def(const std::string& name, bool is_max) {
  auto run = [is_max](const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    require(!in.empty() && in[0], "needs input X");
    const PoolPlan p = plan_pool(node, in[0]->shape());
    const bool nchw = is_nchw(node);
    const bool count_pad = node.attrs.i("count_include_pad", 0) != 0;
    const Tensor x = nchw ? nchw_to_nhwc(*in[0]) : *in[0];
    Tensor y = nchw ? Tensor(DType::kFloat32, image_shape(p.out, false)) : *out[0];
    require(y.numel() == shape_numel(image_shape(p.out, false)), "output shape is inconsistent");
    pool_nhwc(is_max, count_pad, p, x.data<float>(), y.data<float>());
    if (nchw) {
      const Tensor back = nhwc_to_nchw(y);
      std::copy_n(back.data<float>(), back.numel(), out[0]->data<float>());
    }
  };
  return OpDef{name, infer_pool, run};
}

}  // namespace

void register_pool_ops(OpRegistry& r) {
  r.add(pool_def("MaxPool", true));
  r.add(pool_def("AveragePool", false));
}

}  // namespace facekit::nn
