// DepthToSpace: moves blocks of channels into bs×bs spatial blocks. Mode DCR
// (TF depth_to_space, ONNX default): input channel (by·bs + bx)·C' + c;
// mode CRD: c·bs² + by·bs + bx. Either layout, every dtype.
#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

struct D2SPlan {
  ImageDims in{}, out{};
  int64_t bs = 1;
  bool crd = false;
};

D2SPlan plan_d2s(const Node& node, const Shape& x) {
  D2SPlan p;
  p.in = image_dims(x, is_nchw(node), "input X");
  p.bs = node.attrs.i("blocksize");
  require(p.bs >= 1 && p.bs <= 4096, "blocksize must be positive, got " + std::to_string(p.bs));
  const std::string mode = node.attrs.s("mode", "DCR");
  require(mode == "DCR" || mode == "CRD", "mode must be DCR or CRD, got '" + mode + "'");
  p.crd = mode == "CRD";
  const int64_t block = p.bs * p.bs;
  require(p.in.c < 0 || p.in.c % block == 0, "channels " + std::to_string(p.in.c) + " are not divisible by blocksize² " +
                                                 std::to_string(block));
  p.out = ImageDims{p.in.n, p.in.h < 0 ? -1 : p.in.h * p.bs, p.in.w < 0 ? -1 : p.in.w * p.bs,
                    p.in.c < 0 ? -1 : p.in.c / block};
  return p;
}

void infer_d2s(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  out[0] = ValueInfo{in[0].dtype, image_shape(plan_d2s(node, in[0].shape).out, is_nchw(node)), nullptr};
}

void run_d2s(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  const bool nchw = is_nchw(node);
  const D2SPlan p = plan_d2s(node, x.shape());
  require(y.shape() == image_shape(p.out, nchw) && y.dtype() == x.dtype(), "output does not match");
  // Element strides of n, h, w, c in each tensor.
  const auto in_st = contiguous_strides(x.shape()), out_st = contiguous_strides(y.shape());
  const int64_t isn = in_st[0], ish = in_st[nchw ? 2 : 1], isw = in_st[nchw ? 3 : 2], isc = in_st[nchw ? 1 : 3];
  const int64_t osn = out_st[0], osh = out_st[nchw ? 2 : 1], osw = out_st[nchw ? 3 : 2], osc = out_st[nchw ? 1 : 3];
  const size_t size = dtype_size(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(y.raw());
  const int64_t bs = p.bs, co = p.out.c;
  for (int64_t n = 0; n < p.out.n; ++n)
    for (int64_t oy = 0; oy < p.out.h; ++oy)
      for (int64_t ox = 0; ox < p.out.w; ++ox) {
        const int64_t by = oy % bs, bx = ox % bs;
        for (int64_t c = 0; c < co; ++c) {
          const int64_t ic = p.crd ? (c * bs + by) * bs + bx : (by * bs + bx) * co + c;
          const int64_t i = n * isn + (oy / bs) * ish + (ox / bs) * isw + ic * isc;
          const int64_t o = n * osn + oy * osh + ox * osw + c * osc;
          copy_element(dst + o * size, src + i * size, size);
        }
      }
}

}  // namespace

void register_depth_to_space_ops(OpRegistry& r) { r.add(OpDef{"DepthToSpace", infer_d2s, run_d2s}); }

}  // namespace facekit::nn
