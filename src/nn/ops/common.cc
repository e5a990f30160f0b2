#include "nn/ops/common.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace facekit::nn::ops {

void require_arity(const std::vector<ValueInfo>& in, const std::vector<ValueInfo>& out, size_t min, size_t max) {
  require(in.size() >= min && in.size() <= max,
          "expects " + (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
              " inputs, got " + std::to_string(in.size()));
  require(out.size() == 1, "expects 1 output, got " + std::to_string(out.size()));
}

void require_dtype(const ValueInfo& v, DType t, const std::string& what) {
  require(v.dtype == t, what + " must be " + dtype_name(t) + ", got " + dtype_name(v.dtype));
}

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  require(!__builtin_mul_overflow(a, b, &r), "size " + std::to_string(a) + " x " + std::to_string(b) + " overflows");
  return r;
}

int normalize_axis(int64_t axis, int rank, const std::string& what) {
  require(axis >= -rank && axis < rank,
          what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

int64_t known_numel(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return -1;
  return shape_numel(s);
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      out[i] = db;
    } else if (db == 1 || da == db) {
      out[i] = da;
    } else if (da == -1 || db == -1) {
      out[i] = da == -1 ? db : da;  // the unknown side must match at run time
    } else {
      throw Error("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    }
  }
  return out;
}

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  require(in.size() <= out.size(), "cannot broadcast " + shape_str(in) + " to " + shape_str(out));
  const std::vector<int64_t> own = contiguous_strides(in);
  std::vector<int64_t> st(out.size(), 0);
  const size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    require(in[i] == out[lead + i] || in[i] == 1, "cannot broadcast " + shape_str(in) + " to " + shape_str(out));
    st[lead + i] = in[i] == 1 ? 0 : own[i];
  }
  return st;
}

bool is_nchw(const Node& node) {
  const std::string layout = node.attrs.s("layout", "NHWC");
  require(layout == "NHWC" || layout == "NCHW", "layout must be NHWC or NCHW, got '" + layout + "'");
  return layout == "NCHW";
}

ImageDims image_dims(const Shape& s, bool nchw, const std::string& what) {
  require(s.size() == 4, what + " must be 4-D, got shape " + shape_str(s));
  for (int64_t d : s) require(d < kMaxDim, what + " shape " + shape_str(s) + " is implausibly large");
  return nchw ? ImageDims{s[0], s[2], s[3], s[1]} : ImageDims{s[0], s[1], s[2], s[3]};
}

Shape image_shape(const ImageDims& d, bool nchw) {
  return nchw ? Shape{d.n, d.c, d.h, d.w} : Shape{d.n, d.h, d.w, d.c};
}

namespace {
// Out[i0][i1][i2][i3] = In[...] with `perm` mapping output axes to input axes.
Tensor permute4(const Tensor& t, const int perm[4]) {
  require(t.rank() == 4, "layout conversion needs a 4-D tensor, got " + shape_str(t.shape()));
  Shape out_shape(4);
  for (int i = 0; i < 4; ++i) out_shape[i] = t.dim(perm[i]);
  Tensor out(t.dtype(), out_shape);
  const auto in_st = contiguous_strides(t.shape());
  std::vector<int64_t> st(4);
  for (int i = 0; i < 4; ++i) st[i] = in_st[perm[i]];
  const size_t size = dtype_size(t.dtype());
  const auto* src = static_cast<const uint8_t*>(t.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  const std::vector<int64_t> zero(4, 0);
  broadcast_loop(out_shape, st, zero, [&](int64_t o, int64_t i, int64_t) {
    copy_element(dst + o * size, src + i * size, size);
  });
  return out;
}
}  // namespace

Tensor nchw_to_nhwc(const Tensor& t) {
  static const int perm[4] = {0, 2, 3, 1};
  return permute4(t, perm);
}

Tensor nhwc_to_nchw(const Tensor& t) {
  static const int perm[4] = {0, 3, 1, 2};
  return permute4(t, perm);
}

Window read_window(const Node& node, int64_t kh, int64_t kw) {
  require(kh >= 1 && kw >= 1, "kernel must be at least 1x1, got " + std::to_string(kh) + "x" + std::to_string(kw));
  const auto strides = node.attrs.ints("strides", {1, 1});
  const auto dilations = node.attrs.ints("dilations", {1, 1});
  require(strides.size() == 2, "strides must have 2 values [h, w], got " + std::to_string(strides.size()));
  require(dilations.size() == 2, "dilations must have 2 values [h, w], got " + std::to_string(dilations.size()));
  // The upper bounds keep window arithmetic far from int64 overflow.
  require(kh < kMaxWindow && kw < kMaxWindow, "kernel is implausibly large");
  require(strides[0] >= 1 && strides[1] >= 1 && strides[0] < kMaxWindow && strides[1] < kMaxWindow,
          "strides must be positive (and sane)");
  require(dilations[0] >= 1 && dilations[1] >= 1 && dilations[0] < kMaxWindow && dilations[1] < kMaxWindow,
          "dilations must be positive (and sane)");
  Window w;
  w.kh = kh;
  w.kw = kw;
  w.sh = strides[0];
  w.sw = strides[1];
  w.dh = dilations[0];
  w.dw = dilations[1];
  w.ceil_mode = node.attrs.i("ceil_mode", 0) != 0;
  return w;
}

AxisPlan plan_axis(const Node& node, int axis, int64_t in, int64_t k, int64_t stride, int64_t dilation,
                   bool ceil_mode) {
  const int64_t extent = (k - 1) * dilation + 1;  // the dilated kernel
  const std::string auto_pad = node.attrs.s("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER" || auto_pad == "SAME") {
    if (in < 0) return {-1, -1, -1};
    const int64_t out = (in + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((out - 1) * stride + extent - in, 0);
    const int64_t small = total / 2;
    return auto_pad == "SAME_LOWER" ? AxisPlan{out, total - small, small} : AxisPlan{out, small, total - small};
  }
  int64_t before = 0, after = 0;
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    const auto pads = node.attrs.ints("pads", {0, 0, 0, 0});
    require(pads.size() == 4, "pads must have 4 values [top, left, bottom, right], got " + std::to_string(pads.size()));
    before = pads[axis];
    after = pads[axis + 2];
    require(before >= 0 && after >= 0 && before < kMaxDim && after < kMaxDim, "pads must be non-negative (and sane)");
  } else {
    require(auto_pad == "VALID", "unknown auto_pad '" + auto_pad + "'");
  }
  if (in < 0) return {-1, before, after};
  const int64_t span = in + before + after - extent;
  require(span >= 0, "window of extent " + std::to_string(extent) + " does not fit the padded input of size " +
                         std::to_string(in + before + after));
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // With ceil_mode the last window must still start inside the input or its
  // leading padding (ONNX / PyTorch rule).
  if (ceil_mode && (out - 1) * stride >= in + before) --out;
  return {out, before, after};
}

std::pair<int64_t, int64_t> resolve_padding(const Node& node, Window& win, int64_t in_h, int64_t in_w) {
  const AxisPlan y = plan_axis(node, 0, in_h, win.kh, win.sh, win.dh, win.ceil_mode);
  const AxisPlan x = plan_axis(node, 1, in_w, win.kw, win.sw, win.dw, win.ceil_mode);
  win.pad_top = y.pad_before;
  win.pad_bottom = y.pad_after;
  win.pad_left = x.pad_before;
  win.pad_right = x.pad_after;
  return {y.out, x.out};
}

Activation read_activation(const Node& node) {
  const std::string name = node.attrs.s("activation", "");
  Activation a;
  if (name.empty() || name == "None" || name == "NONE") {
    a.kind = Activation::kNone;
  } else if (name == "Relu") {
    a.kind = Activation::kRelu;
  } else if (name == "Relu6") {
    a.kind = Activation::kRelu6;
  } else if (name == "LeakyRelu") {
    a.kind = Activation::kLeakyRelu;
    a.alpha = static_cast<float>(node.attrs.f("alpha", 0.2));
  } else if (name == "Prelu") {
    a.kind = Activation::kPrelu;
  } else if (name == "Sigmoid") {
    a.kind = Activation::kSigmoid;
  } else if (name == "Tanh") {
    a.kind = Activation::kTanh;
  } else if (name == "Clip") {
    a.kind = Activation::kClip;
    a.lo = static_cast<float>(node.attrs.f("clip_min", -std::numeric_limits<double>::infinity()));
    a.hi = static_cast<float>(node.attrs.f("clip_max", std::numeric_limits<double>::infinity()));
  } else {
    throw Error("unknown fused activation '" + name + "'");
  }
  return a;
}

void check_activation_slope(const Activation& act, const ValueInfo* slope, int64_t channels) {
  if (act.kind != Activation::kPrelu) return;
  require(slope != nullptr, "activation Prelu needs the slope input");
  require(slope->dtype == DType::kFloat32, "Prelu slope must be float32");
  const int64_t n = known_numel(slope->shape);
  require(n < 0 || n == 1 || channels < 0 || n == channels,
          "Prelu slope " + shape_str(slope->shape) + " must hold 1 or " + std::to_string(channels) + " values");
}

float activate(const Activation& act, float x, float slope) {
  switch (act.kind) {
    case Activation::kNone: return x;
    case Activation::kRelu: return x > 0 ? x : 0.0f;
    case Activation::kRelu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Activation::kLeakyRelu: return x < 0 ? act.alpha * x : x;
    case Activation::kPrelu: return x < 0 ? slope * x : x;
    case Activation::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::kTanh: return std::tanh(x);
    case Activation::kClip: return std::min(std::max(x, act.lo), act.hi);
  }
  return x;
}

void apply_activation(const Activation& act, float* data, int64_t count, int64_t channels, const Tensor* slope) {
  if (act.kind == Activation::kNone) return;
  const float* s = nullptr;
  bool per_channel = false;
  if (act.kind == Activation::kPrelu) {
    require(slope != nullptr && slope->dtype() == DType::kFloat32, "activation Prelu needs a float32 slope input");
    require(slope->numel() == 1 || slope->numel() == channels,
            "Prelu slope " + shape_str(slope->shape()) + " must hold 1 or " + std::to_string(channels) + " values");
    s = slope->data<float>();
    per_channel = slope->numel() != 1;
  }
  for (int64_t i = 0; i < count; ++i) {
    const float sl = s ? s[per_channel ? i % channels : 0] : 0.0f;
    data[i] = activate(act, data[i], sl);
  }
}

std::vector<int64_t> ints_from_input_or_attr(const Node& node, const std::vector<ValueInfo>& in, size_t index,
                                             const std::string& attr, const std::vector<int64_t>& def, bool* known) {
  *known = true;
  if (has_input(in, index)) {
    require(in[index].dtype != DType::kBool, attr + " input must be integer");
    require(in[index].shape.size() <= 1, attr + " input must be 1-D, got " + shape_str(in[index].shape));
    if (in[index].constant) return in[index].constant->to_int64();
    *known = false;
    return {};
  }
  return node.attrs.ints(attr, def);
}

std::vector<int64_t> ints_from_input_or_attr(const Node& node, const std::vector<const Tensor*>& in, size_t index,
                                             const std::string& attr, const std::vector<int64_t>& def) {
  if (has_input(in, index)) return in[index]->to_int64();
  return node.attrs.ints(attr, def);
}

}  // namespace facekit::nn::ops
