// Resize of the two spatial axes of a 4-D image: "nearest" or "linear"
// (bilinear), with ONNX's coordinate transformations. Linear with half_pixel
// equals TF ResizeBilinear(half_pixel_centers=true); align_corners equals
// TF's align_corners=true; asymmetric equals TF's legacy mode.
#include <cmath>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

enum class Coord { kHalfPixel, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn };
enum class Nearest { kFloor, kCeil, kRoundPreferFloor, kRoundPreferCeil };

struct ResizePlan {
  ImageDims in{}, out{};
  bool linear = true;
  Coord coord = Coord::kHalfPixel;
  Nearest nearest = Nearest::kFloor;
  double scale_h = 0, scale_w = 0;  // output / input; 0 until known
};

ResizePlan plan_resize(const Node& node, const Shape& x) {
  ResizePlan p;
  const bool nchw = is_nchw(node);
  p.in = image_dims(x, nchw, "input X");
  const std::string mode = node.attrs.s("mode", "linear");
  require(mode == "linear" || mode == "nearest" || mode == "bilinear", "mode must be linear or nearest, got '" + mode + "'");
  p.linear = mode != "nearest";
  const std::string coord = node.attrs.s("coordinate_transformation_mode", "half_pixel");
  if (coord == "half_pixel") p.coord = Coord::kHalfPixel;
  else if (coord == "pytorch_half_pixel") p.coord = Coord::kPytorchHalfPixel;
  else if (coord == "align_corners") p.coord = Coord::kAlignCorners;
  else if (coord == "asymmetric") p.coord = Coord::kAsymmetric;
  else if (coord == "tf_half_pixel_for_nn") p.coord = Coord::kTfHalfPixelForNn;
  else throw Error("unsupported coordinate_transformation_mode '" + coord + "'");
  const std::string nearest = node.attrs.s("nearest_mode", "floor");
  if (nearest == "floor") p.nearest = Nearest::kFloor;
  else if (nearest == "ceil") p.nearest = Nearest::kCeil;
  else if (nearest == "round_prefer_floor") p.nearest = Nearest::kRoundPreferFloor;
  else if (nearest == "round_prefer_ceil") p.nearest = Nearest::kRoundPreferCeil;
  else throw Error("unsupported nearest_mode '" + nearest + "'");
  p.out = p.in;
  if (node.attrs.has("size")) {
    const auto size = node.attrs.ints("size");
    require(size.size() == 2 && size[0] >= 1 && size[1] >= 1, "size must be [oh, ow] with positive values");
    p.out.h = size[0];
    p.out.w = size[1];
    if (p.in.h > 0) p.scale_h = static_cast<double>(p.out.h) / static_cast<double>(p.in.h);
    if (p.in.w > 0) p.scale_w = static_cast<double>(p.out.w) / static_cast<double>(p.in.w);
  } else {
    const auto scales = node.attrs.floats("scales");
    require(scales.size() == 2, "needs size [oh, ow] or scales [sh, sw]");
    require(scales[0] > 0 && scales[1] > 0 && scales[0] < 1e6 && scales[1] < 1e6, "scales must be positive");
    p.scale_h = scales[0];
    p.scale_w = scales[1];
    p.out.h = p.in.h < 0 ? -1 : static_cast<int64_t>(std::floor(static_cast<double>(p.in.h) * scales[0]));
    p.out.w = p.in.w < 0 ? -1 : static_cast<int64_t>(std::floor(static_cast<double>(p.in.w) * scales[1]));
  }
  return p;
}

void infer_resize(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  require_dtype(in[0], DType::kFloat32, "input X");
  out[0] = ValueInfo{DType::kFloat32, image_shape(plan_resize(node, in[0].shape).out, is_nchw(node)), nullptr};
}

// Output coordinate -> input coordinate along one axis.
double source_coord(Coord coord, int64_t o, int64_t in, int64_t out, double scale) {
  switch (coord) {
    case Coord::kHalfPixel: return (static_cast<double>(o) + 0.5) / scale - 0.5;
    case Coord::kPytorchHalfPixel: return out > 1 ? (static_cast<double>(o) + 0.5) / scale - 0.5 : 0.0;
    case Coord::kAlignCorners: {
      // ONNX measures the resized length as in·scale, unrounded (it equals
      // `out` when a size was given).
      const double resized = static_cast<double>(in) * scale;
      return out > 1 && resized > 1 ? static_cast<double>(o) * static_cast<double>(in - 1) / (resized - 1) : 0.0;
    }
    case Coord::kAsymmetric: return static_cast<double>(o) / scale;
    case Coord::kTfHalfPixelForNn: return (static_cast<double>(o) + 0.5) / scale;
  }
  return 0;
}

// Per output index along one axis: the two input indices and the weight of
// the second (nearest uses only the first).
struct Tap {
  int64_t i0, i1;
  float t;
};

std::vector<Tap> axis_taps(const ResizePlan& p, int64_t in, int64_t out, double scale) {
  std::vector<Tap> taps(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const double s = source_coord(p.coord, o, in, out, scale);
    if (p.linear) {
      // Clamping the coordinate to the input equals edge replication.
      const double c = std::min(std::max(s, 0.0), static_cast<double>(in - 1));
      const auto i0 = static_cast<int64_t>(std::floor(c));
      taps[o] = {i0, std::min(i0 + 1, in - 1), static_cast<float>(c - static_cast<double>(i0))};
    } else {
      double r = 0;
      switch (p.nearest) {
        case Nearest::kFloor: r = std::floor(s); break;
        case Nearest::kCeil: r = std::ceil(s); break;
        case Nearest::kRoundPreferFloor: r = s - std::floor(s) == 0.5 ? std::floor(s) : std::round(s); break;
        case Nearest::kRoundPreferCeil: r = s - std::floor(s) == 0.5 ? std::ceil(s) : std::round(s); break;
      }
      const int64_t i = static_cast<int64_t>(std::min(std::max(r, 0.0), static_cast<double>(in - 1)));
      taps[o] = {i, i, 0.0f};
    }
  }
  return taps;
}

void run_resize(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  const bool nchw = is_nchw(node);
  const ResizePlan p = plan_resize(node, x.shape());
  require(y.shape() == image_shape(p.out, nchw), "output does not match");
  if (y.numel() == 0) return;
  require(p.in.h > 0 && p.in.w > 0, "cannot resize an empty image");
  const auto ty = axis_taps(p, p.in.h, p.out.h, p.scale_h);
  const auto tx = axis_taps(p, p.in.w, p.out.w, p.scale_w);
  const auto in_st = contiguous_strides(x.shape()), out_st = contiguous_strides(y.shape());
  const int64_t isn = in_st[0], ish = in_st[nchw ? 2 : 1], isw = in_st[nchw ? 3 : 2], isc = in_st[nchw ? 1 : 3];
  const int64_t osn = out_st[0], osh = out_st[nchw ? 2 : 1], osw = out_st[nchw ? 3 : 2], osc = out_st[nchw ? 1 : 3];
  const float* src = x.data<float>();
  float* dst = y.data<float>();
  for (int64_t n = 0; n < p.out.n; ++n)
    for (int64_t oy = 0; oy < p.out.h; ++oy) {
      const Tap& a = ty[oy];
      for (int64_t ox = 0; ox < p.out.w; ++ox) {
        const Tap& b = tx[ox];
        const float* r0 = src + n * isn + a.i0 * ish;
        const float* r1 = src + n * isn + a.i1 * ish;
        float* o = dst + n * osn + oy * osh + ox * osw;
        if (!p.linear) {
          for (int64_t c = 0; c < p.out.c; ++c) o[c * osc] = r0[b.i0 * isw + c * isc];
          continue;
        }
        for (int64_t c = 0; c < p.out.c; ++c) {
          const float v00 = r0[b.i0 * isw + c * isc], v01 = r0[b.i1 * isw + c * isc];
          const float v10 = r1[b.i0 * isw + c * isc], v11 = r1[b.i1 * isw + c * isc];
          const float top = v00 + (v01 - v00) * b.t, bottom = v10 + (v11 - v10) * b.t;
          o[c * osc] = top + (bottom - top) * a.t;
        }
      }
    }
}

}  // namespace

void register_resize_ops(OpRegistry& r) { r.add(OpDef{"Resize", infer_resize, run_resize}); }

}  // namespace facekit::nn
