// ONNX → IR for the layer operators: convolution, pooling, Gemm, batch
// normalisation, resizing. All keep ONNX's NCHW layout (layout = "NCHW").
#include <cmath>

#include "facekit/error.h"
#include "nn/onnx/onnx_attrs.h"
#include "nn/onnx/onnx_import_ops.h"

namespace facekit::nn::onnx_io {

namespace {

Attributes nchw() {
  Attributes a;
  a.set("layout", std::string("NCHW"));
  return a;
}

std::vector<int64_t> pair_attr(OnnxImporter& im, const onnx::NodeProto& n, const OnnxAttrs& a,
                               const std::string& name, int64_t def) {
  auto v = a.ints(name, {def, def});
  if (v.size() != 2) im.fail(n, "attribute '" + name + "' must have 2 values (only 2-D is supported)");
  return v;
}

// Sets the IR padding of a 2-D window op from ONNX's auto_pad / pads /
// ceil_mode. SAME_LOWER and ceil_mode have no IR form: they become explicit
// pads, which needs the input's spatial size at load time.
void set_padding(OnnxImporter& im, const onnx::NodeProto& n, const OnnxAttrs& a, int x,
                 const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                 const std::vector<int64_t>& dilations, bool ceil_mode, Attributes& at) {
  const std::string auto_pad = a.s("auto_pad", "NOTSET");
  const Shape& xs = im.shape(x);
  auto spatial = [&](int i) {
    const int64_t d = xs.size() == 4 ? xs[2 + i] : -1;
    if (d < 0) im.fail(n, auto_pad + (ceil_mode ? " with ceil_mode" : "") + " needs a static input size");
    return d;
  };
  for (int i = 0; i < 2; ++i)
    if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1) im.fail(n, "kernel, strides and dilations must be positive");
  std::vector<int64_t> pads{0, 0, 0, 0};  // top, left, bottom, right == ONNX [h0, w0, h1, w1]
  if (auto_pad == "SAME_UPPER") {
    at.set("auto_pad", auto_pad);
    return;  // ceil_mode does not change SAME's output size
  } else if (auto_pad == "SAME_LOWER") {
    for (int i = 0; i < 2; ++i) {
      const int64_t in = spatial(i), s = strides[i];
      const int64_t total = std::max<int64_t>(((in + s - 1) / s - 1) * s + (kernel[i] - 1) * dilations[i] + 1 - in, 0);
      pads[i] = total - total / 2;  // the odd pixel goes first
      pads[i + 2] = total / 2;
    }
  } else if (auto_pad == "VALID") {
    if (!ceil_mode) {
      at.set("auto_pad", auto_pad);
      return;
    }
  } else if (auto_pad == "NOTSET") {
    pads = a.ints("pads", pads);
    if (pads.size() != 4) im.fail(n, "attribute 'pads' must have 4 values");
  } else {
    im.fail(n, "unknown auto_pad '" + auto_pad + "'");
  }
  if (ceil_mode) {
    // Pad the end so that floor division yields the ceil-mode size; a window
    // starting in the end padding does not count (ONNX Runtime's rule).
    for (int i = 0; i < 2; ++i) {
      const int64_t in = spatial(i), s = strides[i], eff = (kernel[i] - 1) * dilations[i] + 1;
      const int64_t span = in + pads[i] + pads[i + 2] - eff;
      if (span < 0) continue;
      int64_t out = (span + s - 1) / s + 1;
      if ((out - 1) * s >= in + pads[i]) --out;
      const int64_t need = (out - 1) * s + eff - (in + pads[i] + pads[i + 2]);
      if (need > 0) pads[i + 2] += need;
    }
  }
  at.set("pads", pads);
}

// ONNX's OIHW filter as the IR's [O, KH, KW, I/group].
Tensor oihw_to_ohwi(const Tensor& w) {
  const int64_t O = w.dim(0), I = w.dim(1), H = w.dim(2), W = w.dim(3);
  Tensor out(DType::kFloat32, {O, H, W, I});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < W; ++x) dst[((o * H + h) * W + x) * I + i] = src[((o * I + i) * H + h) * W + x];
  return out;
}

void map_conv_2d(OnnxImporter& im, const onnx::NodeProto& n);
void map_pool_2d(OnnxImporter& im, const onnx::NodeProto& n, const std::string& ir_op);

// A 1-D window op runs as the 2-D one over a height of 1: `n2` is `n` with a
// [N, C, 1, L] input (and OIHW filter), 2-D attributes and a temporary output,
// which finish_1d() reshapes back. Returns false when the input is not 3-D.
bool lift_1d(OnnxImporter& im, const onnx::NodeProto& n, bool has_filter, onnx::NodeProto& n2) {
  const int x = im.need(n, 0);
  if (im.shape(x).size() != 3 || n.output_size() < 1) return false;
  n2 = n;
  Attributes to_2d;
  to_2d.set("shape", std::vector<int64_t>{0, 0, 1, -1});
  const std::string base = n.output(0) + "::1d";
  im.emit(n, "Reshape", {x}, to_2d, base + "_input");
  n2.set_input(0, base + "_input");
  if (has_filter) {
    const int w = im.need(n, 1);
    if (const Tensor* wc = im.constant(w); wc && wc->rank() == 3) {
      im.add_constant(n, wc->reshaped({wc->dim(0), wc->dim(1), 1, wc->dim(2)}), base + "_filter");
    } else {
      im.emit(n, "Reshape", {w}, to_2d, base + "_filter");
    }
    n2.set_input(1, base + "_filter");
  }
  for (auto& attr : *n2.mutable_attribute()) {
    const std::string& name = attr.name();
    if (name != "kernel_shape" && name != "strides" && name != "dilations" && name != "pads") continue;
    std::vector<int64_t> v(attr.ints().begin(), attr.ints().end());
    attr.clear_ints();
    if (name == "pads" && v.size() == 2) v = {0, v[0], 0, v[1]};
    else if (name != "pads" && v.size() == 1) v = {1, v[0]};
    for (int64_t i : v) attr.add_ints(i);
  }
  n2.set_output(0, base + "_output");
  return true;
}

void finish_1d(OnnxImporter& im, const onnx::NodeProto& n, const onnx::NodeProto& n2) {
  Attributes to_1d;
  to_1d.set("shape", std::vector<int64_t>{0, 0, -1});
  im.emit_out(n, "Reshape", {im.value_id(n, n2.output(0))}, to_1d);
}

}  // namespace

void map_conv(OnnxImporter& im, const onnx::NodeProto& n) {
  onnx::NodeProto n2;
  if (!lift_1d(im, n, true, n2)) return map_conv_2d(im, n);
  map_conv_2d(im, n2);
  finish_1d(im, n, n2);
}

void map_pool(OnnxImporter& im, const onnx::NodeProto& n, const std::string& ir_op) {
  onnx::NodeProto n2;
  if (!lift_1d(im, n, false, n2)) return map_pool_2d(im, n, ir_op);
  map_pool_2d(im, n2, ir_op);
  finish_1d(im, n, n2);
}

namespace {

void map_conv_2d(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0), w = im.need(n, 1), b = im.input(n, 2);
  if (im.shape(w).size() != 4 || im.shape(x).size() != 4) im.fail(n, "only 1-D and 2-D convolution (3-D and 4-D tensors) is supported");
  int filter;
  if (const Tensor* wc = im.constant(w); wc && wc->dtype() == DType::kFloat32) {
    filter = im.add_constant(n, oihw_to_ohwi(*wc));
  } else {
    Attributes perm;
    perm.set("perm", std::vector<int64_t>{0, 2, 3, 1});
    filter = im.emit(n, "Transpose", {w}, perm);
  }
  Attributes at = nchw();
  const auto strides = pair_attr(im, n, a, "strides", 1);
  const auto dilations = pair_attr(im, n, a, "dilations", 1);
  std::vector<int64_t> kernel{im.shape(w)[2], im.shape(w)[3]};
  if (a.has("kernel_shape") && a.ints("kernel_shape") != kernel) im.fail(n, "kernel_shape disagrees with the weights");
  at.set("strides", strides);
  at.set("dilations", dilations);
  at.set("group", a.i("group", 1));
  set_padding(im, n, a, x, kernel, strides, dilations, false, at);
  im.emit_out(n, "Conv", {x, filter, b}, at);
}

void map_pool_2d(OnnxImporter& im, const onnx::NodeProto& n, const std::string& ir_op) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  if (im.shape(x).size() != 4) im.fail(n, "only 1-D and 2-D pooling (3-D and 4-D tensors) is supported");
  if (n.output_size() > 1 && !n.output(1).empty()) im.fail(n, "the Indices output is unsupported");
  const auto kernel = a.ints("kernel_shape");
  if (kernel.size() != 2) im.fail(n, "kernel_shape must have 2 values");
  const auto strides = pair_attr(im, n, a, "strides", 1);
  const auto dilations = pair_attr(im, n, a, "dilations", 1);
  const bool ceil_mode = a.i("ceil_mode", 0) != 0;
  const int64_t include_pad = a.i("count_include_pad", 0);
  if (ceil_mode && include_pad) im.fail(n, "ceil_mode with count_include_pad is unsupported");
  Attributes at = nchw();
  at.set("kernel", kernel);
  at.set("strides", strides);
  if (dilations != std::vector<int64_t>{1, 1}) at.set("dilations", dilations);
  if (ir_op == "AveragePool") at.set("count_include_pad", include_pad);
  set_padding(im, n, a, x, kernel, strides, dilations, ceil_mode, at);
  im.emit_out(n, ir_op, {x}, at);
}

}  // namespace

void map_global_pool(OnnxImporter& im, const onnx::NodeProto& n, const std::string& reduce_op) {
  const int x = im.need(n, 0);
  const int r = static_cast<int>(im.shape(x).size());
  if (r < 3) im.fail(n, "input must have spatial dimensions");
  std::vector<int64_t> axes;
  for (int i = 2; i < r; ++i) axes.push_back(i);
  Attributes at;
  at.set("axes", axes);
  at.set("keepdims", int64_t{1});
  im.emit_out(n, reduce_op, {x}, at);
}

void map_gemm(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int A = im.need(n, 0), B = im.need(n, 1), C = im.input(n, 2);
  const float alpha = a.f("alpha", 1.f), beta = a.f("beta", 1.f);
  const bool trans_a = a.i("transA", 0) != 0, trans_b = a.i("transB", 0) != 0;
  const Tensor* bc = im.constant(B);
  const Tensor* cc = im.constant(C);
  if (!trans_a && bc && bc->rank() == 2 && bc->dtype() == DType::kFloat32) {
    // Dense: W is [N, K]; alpha folds into W, beta into the bias.
    const int64_t N = trans_b ? bc->dim(0) : bc->dim(1), K = trans_b ? bc->dim(1) : bc->dim(0);
    Tensor w(DType::kFloat32, {N, K});
    for (int64_t i = 0; i < N; ++i)
      for (int64_t k = 0; k < K; ++k)
        w.data<float>()[i * K + k] = alpha * bc->data<float>()[trans_b ? i * K + k : k * N + i];
    int bias = -1;
    bool bias_done = C < 0;
    if (cc && cc->dtype() == DType::kFloat32 && (cc->numel() == N || cc->numel() == 1) &&
        (cc->rank() <= 1 || (cc->rank() == 2 && cc->dim(0) == 1))) {
      Tensor bt(DType::kFloat32, {N});
      for (int64_t i = 0; i < N; ++i) bt.data<float>()[i] = beta * cc->data<float>()[cc->numel() == 1 ? 0 : i];
      bias = im.add_constant(n, bt);
      bias_done = true;
    }
    if (bias_done) {
      im.emit_out(n, "Dense", {A, im.add_constant(n, w), bias});
      return;
    }
    const int y = im.emit(n, "Dense", {A, im.add_constant(n, w)});
    const int c = beta == 1.f ? C : im.emit(n, "Mul", {C, im.add_constant(n, Tensor::scalar(beta))});
    im.emit_out(n, "Add", {y, c});
    return;
  }
  // General form: transposes, MatMul, scaling and the bias as separate nodes.
  Attributes swap;
  swap.set("perm", std::vector<int64_t>{1, 0});
  const int a2 = trans_a ? im.emit(n, "Transpose", {A}, swap) : A;
  const int b2 = trans_b ? im.emit(n, "Transpose", {B}, swap) : B;
  int y = im.emit(n, "MatMul", {a2, b2});
  if (alpha != 1.f) y = im.emit(n, "Mul", {y, im.add_constant(n, Tensor::scalar(alpha))});
  if (C >= 0) {
    const int c = beta == 1.f ? C : im.emit(n, "Mul", {C, im.add_constant(n, Tensor::scalar(beta))});
    im.emit_out(n, "Add", {y, c});
  } else {
    im.emit_out(n, "Identity", {y});
  }
}

void map_batchnorm(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  if (a.i("training_mode", 0) != 0) im.fail(n, "training mode is unsupported");
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty()) im.fail(n, "the running statistics outputs are unsupported");
  const int x = im.need(n, 0);
  const auto scale = im.const_floats(n, 1), bias = im.const_floats(n, 2);
  const auto mean = im.const_floats(n, 3), var = im.const_floats(n, 4);
  const size_t C = scale.size();
  if (bias.size() != C || mean.size() != C || var.size() != C) im.fail(n, "scale, B, mean and var differ in size");
  const int r = static_cast<int>(im.shape(x).size());
  if (r < 2) im.fail(n, "input must have a channel axis");
  // y = x * s + t, with s = scale / sqrt(var + eps) and t = B - mean * s.
  const double eps = a.f("epsilon", 1e-5f);
  Shape cshape{static_cast<int64_t>(C)};
  for (int i = 2; i < r; ++i) cshape.push_back(1);
  Tensor s(DType::kFloat32, cshape), t(DType::kFloat32, cshape);
  for (size_t c = 0; c < C; ++c) {
    const double sc = scale[c] / std::sqrt(double(var[c]) + eps);
    s.data<float>()[c] = static_cast<float>(sc);
    t.data<float>()[c] = static_cast<float>(bias[c] - mean[c] * sc);
  }
  const int y = im.emit(n, "Mul", {x, im.add_constant(n, s)});
  im.emit_out(n, "Add", {y, im.add_constant(n, t)});
}

namespace {

// Shared by Resize and Upsample: the IR node from a mode, coordinate rule and
// either 4 scales or 4 sizes (N and C must stay unchanged).
void emit_resize(OnnxImporter& im, const onnx::NodeProto& n, int x, const std::string& mode,
                 const std::string& coords, const std::string& nearest_mode, const std::vector<float>& scales,
                 const std::vector<int64_t>& sizes) {
  if (im.shape(x).size() != 4) im.fail(n, "only 4-D resizing is supported");
  if (mode != "nearest" && mode != "linear") im.fail(n, "mode '" + mode + "' is unsupported");
  if (coords != "half_pixel" && coords != "align_corners" && coords != "asymmetric" && coords != "pytorch_half_pixel" &&
      coords != "tf_half_pixel_for_nn")
    im.fail(n, "coordinate_transformation_mode '" + coords + "' is unsupported");
  Attributes at = nchw();
  at.set("mode", mode);
  at.set("coordinate_transformation_mode", coords);
  if (mode == "nearest") {
    if (nearest_mode != "floor" && nearest_mode != "round_prefer_floor" && nearest_mode != "round_prefer_ceil" &&
        nearest_mode != "ceil")
      im.fail(n, "nearest_mode '" + nearest_mode + "' is unknown");
    at.set("nearest_mode", nearest_mode);
  }
  const Shape& xs = im.shape(x);
  if (!sizes.empty()) {
    if (sizes.size() != 4) im.fail(n, "sizes must have 4 values");
    for (int i = 0; i < 2; ++i)
      if (xs[i] >= 0 && sizes[i] != xs[i]) im.fail(n, "resizing the batch or channel axis is unsupported");
    at.set("size", std::vector<int64_t>{sizes[2], sizes[3]});
  } else {
    if (scales.size() != 4) im.fail(n, "scales must have 4 values");
    if (scales[0] != 1.f || scales[1] != 1.f) im.fail(n, "resizing the batch or channel axis is unsupported");
    if (!(scales[2] > 0.f) || !(scales[3] > 0.f)) im.fail(n, "scales must be positive");
    at.set("scales", std::vector<double>{scales[2], scales[3]});
  }
  im.emit_out(n, "Resize", {x}, at);
}

}  // namespace

void map_resize(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  const std::string mode = a.s("mode", "nearest");
  if (im.opset() < 11) {  // Resize-10: X, scales; asymmetric coordinates, nearest rounds down
    emit_resize(im, n, x, mode, "asymmetric", "floor", im.const_floats(n, 1), {});
    return;
  }
  if (a.i("exclude_outside", 0) != 0) im.fail(n, "exclude_outside is unsupported");
  const std::string coords = a.s("coordinate_transformation_mode", "half_pixel");
  const std::string nearest_mode = a.s("nearest_mode", "round_prefer_floor");
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  const int s = im.input(n, 2);
  if (s >= 0 && im.constant(s) && im.constant(s)->numel() > 0) scales = im.const_floats(n, 2);
  else sizes = im.const_ints(n, 3);
  emit_resize(im, n, x, mode, coords, nearest_mode, scales, sizes);
}

void map_upsample(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  const auto scales = im.opset() >= 9 ? im.const_floats(n, 1) : a.floats("scales");
  emit_resize(im, n, x, a.s("mode", "nearest"), "asymmetric", "floor", scales, {});
}

void map_depth_to_space(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  Attributes at = nchw();
  at.set("blocksize", a.i("blocksize", 0));
  at.set("mode", a.s("mode", "DCR"));
  im.emit_out(n, "DepthToSpace", {im.need(n, 0)}, at);
}

}  // namespace facekit::nn::onnx_io
