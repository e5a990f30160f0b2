// Mapping TFLite builtin operators onto graph IR nodes (src/nn/ops/README.md).
// TFLite is NHWC with OHWI filters, which is the IR's native convention, so
// most operators map one to one; the exceptions are commented where handled.
#include <algorithm>

#include "nn/tflite/tflite_importer.h"

namespace facekit::nn::tflite_io {

namespace {

// Builtin operator codes (tflite::BuiltinOperator) of the operators mapped here.
enum Code : int32_t {
  kAdd = 0, kAveragePool2d = 1, kConcatenation = 2, kConv2d = 3, kDepthwiseConv2d = 4,
  kDepthToSpace = 5, kDequantize = 6, kFullyConnected = 9, kLogistic = 14, kMaxPool2d = 17,
  kMul = 18, kRelu = 19, kReluN1To1 = 20, kRelu6 = 21, kReshape = 22, kResizeBilinear = 23,
  kSoftmax = 25, kTanh = 28, kPad = 34, kMean = 40, kSub = 41, kDiv = 42, kStridedSlice = 45,
  kExp = 47, kCast = 53, kPrelu = 54, kMaximum = 55, kMinimum = 57, kLess = 58, kNeg = 59,
  kPadV2 = 60, kGreater = 61, kGreaterEqual = 62, kLessEqual = 63, kEqual = 71, kSum = 74,
  kSqrt = 75, kRsqrt = 76, kReduceMax = 82, kReduceMin = 89, kLeakyRelu = 98, kAbs = 101,
  kDensify = 124,
};

constexpr int64_t kToEnd = int64_t{1} << 62;  // Slice's "to the end" sentinel

// One operator being mapped: its inputs and outputs as value ids.
class OpMapper {
 public:
  OpMapper(Importer& im, const std::string& where, const tflite::Operator& op) : im_(im), where_(where), op_(op) {}

  [[noreturn]] void fail(const std::string& reason) const { im_.fail(where_, reason); }
  void require(bool ok, const std::string& reason) const {
    if (!ok) fail(reason);
  }

  size_t input_count() const { return op_.inputs() ? op_.inputs()->size() : 0; }
  size_t output_count() const { return op_.outputs() ? op_.outputs()->size() : 0; }
  int input_tensor(size_t k) const { return k < input_count() ? op_.inputs()->Get(k) : -1; }
  int output_tensor(size_t k) const { return op_.outputs()->Get(k); }
  int in(size_t k) const { return im_.value(input_tensor(k)); }
  int out(size_t k = 0) const { return im_.value(output_tensor(k)); }

  // Requires at least `min_in` present inputs and exactly `n_out` outputs.
  void expect(size_t min_in, size_t n_out) const {
    require(input_count() >= min_in, "expects at least " + std::to_string(min_in) + " inputs");
    for (size_t k = 0; k < min_in; ++k) require(input_tensor(k) >= 0, "input " + std::to_string(k) + " is omitted");
    require(output_count() == n_out, "expects " + std::to_string(n_out) + " outputs");
  }

  const Tensor& constant_input(size_t k, const std::string& what) const {
    const Tensor* t = im_.constant(in(k));
    if (!t) fail("a non-constant " + what + " is not supported");
    return *t;
  }
  std::vector<int64_t> ints_input(size_t k, const std::string& what) const {
    const Tensor& t = constant_input(k, what);
    require(t.dtype() != DType::kFloat32, what + " must be integer");
    return t.to_int64();
  }

  template <class T> const T& options(const T* o) const {
    if (!o) fail("missing builtin options");
    return *o;
  }

  // Conv/Dense carry their fused activation as an attribute.
  void set_fused_activation(Attributes& a, tflite::ActivationFunctionType f) const {
    switch (f) {
      case tflite::ActivationFunctionType_NONE: return;
      case tflite::ActivationFunctionType_RELU: a.set("activation", std::string("Relu")); return;
      case tflite::ActivationFunctionType_RELU6: a.set("activation", std::string("Relu6")); return;
      case tflite::ActivationFunctionType_TANH: a.set("activation", std::string("Tanh")); return;
      case tflite::ActivationFunctionType_RELU_N1_TO_1:
        a.set("activation", std::string("Clip"));
        a.set("clip_min", -1.0);
        a.set("clip_max", 1.0);
        return;
      default: fail("unsupported fused activation");
    }
  }

  // Adds `op` writing output 0; a fused activation becomes a following node.
  void emit(const std::string& op, std::vector<int> inputs, Attributes attrs = {},
            tflite::ActivationFunctionType f = tflite::ActivationFunctionType_NONE) {
    Graph& g = im_.graph();
    if (f == tflite::ActivationFunctionType_NONE) {
      g.add_node(op, std::move(inputs), {out()}, std::move(attrs));
      return;
    }
    const int pre = im_.add_temp(output_tensor(0), "pre_activation");
    g.add_node(op, std::move(inputs), {pre}, std::move(attrs));
    Attributes act;
    switch (f) {
      case tflite::ActivationFunctionType_RELU: g.add_node("Relu", {pre}, {out()}); return;
      case tflite::ActivationFunctionType_TANH: g.add_node("Tanh", {pre}, {out()}); return;
      case tflite::ActivationFunctionType_RELU6:
        act.set("min", 0.0);
        act.set("max", 6.0);
        break;
      case tflite::ActivationFunctionType_RELU_N1_TO_1:
        act.set("min", -1.0);
        act.set("max", 1.0);
        break;
      default: fail("unsupported fused activation");
    }
    g.add_node("Clip", {pre}, {out()}, std::move(act));
  }

  // Spatial attributes shared by Conv and the pools.
  void set_spatial(Attributes& a, tflite::Padding padding, int stride_h, int stride_w) const {
    require(stride_h > 0 && stride_w > 0 && stride_h <= 1024 && stride_w <= 1024, "invalid strides");
    a.set("layout", std::string("NHWC"));
    a.set("strides", std::vector<int64_t>{stride_h, stride_w});
    require(padding == tflite::Padding_SAME || padding == tflite::Padding_VALID, "unknown padding");
    a.set("auto_pad", std::string(padding == tflite::Padding_SAME ? "SAME_UPPER" : "VALID"));
  }

  Importer& im() { return im_; }
  const tflite::Operator& op() const { return op_; }

 private:
  Importer& im_;
  const std::string& where_;
  const tflite::Operator& op_;
};

void map_conv(OpMapper& m) {
  m.expect(2, 1);
  const auto& o = m.options(m.op().builtin_options_as_Conv2DOptions());
  Attributes a;
  m.set_spatial(a, o.padding(), o.stride_h(), o.stride_w());
  m.require(o.dilation_h_factor() > 0 && o.dilation_w_factor() > 0, "invalid dilations");
  a.set("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  // TFLite filters are already [O, KH, KW, I/group]; grouped convolutions
  // show as input channels that are a multiple of the filter's.
  const Shape x = m.im().declared_shape(m.input_tensor(0));
  const Shape w = m.im().declared_shape(m.input_tensor(1));
  m.require(w.size() == 4, "filter must be 4-D");
  if (x.size() == 4 && x[3] > 0 && w[3] > 0 && x[3] != w[3] && x[3] % w[3] == 0) a.set("group", x[3] / w[3]);
  m.set_fused_activation(a, o.fused_activation_function());
  m.emit("Conv", {m.in(0), m.in(1), m.in(2)}, std::move(a));
}

// TFLite depthwise filters are [1, KH, KW, C·M]; the IR wants [C·M, KH, KW, 1]
// with group = C.
void map_depthwise(OpMapper& m) {
  m.expect(2, 1);
  const auto& o = m.options(m.op().builtin_options_as_DepthwiseConv2DOptions());
  const Tensor& w = m.constant_input(1, "depthwise filter");
  m.require(w.rank() == 4 && w.dim(0) == 1 && w.dtype() == DType::kFloat32, "depthwise filter must be float [1,KH,KW,C*M]");
  const int64_t kh = w.dim(1), kw = w.dim(2), cm = w.dim(3);
  const Shape x = m.im().declared_shape(m.input_tensor(0));
  int64_t channels = (x.size() == 4 && x[3] > 0) ? x[3] : 0;
  if (channels == 0) channels = o.depth_multiplier() > 0 ? cm / o.depth_multiplier() : cm;
  m.require(channels > 0 && cm % channels == 0, "filter channels are not a multiple of the input channels");
  Tensor filter(DType::kFloat32, {cm, kh, kw, 1});
  const float* src = w.data<float>();
  float* dst = filter.data<float>();
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x0 = 0; x0 < kw; ++x0)
      for (int64_t c = 0; c < cm; ++c) dst[(c * kh + y) * kw + x0] = src[(y * kw + x0) * cm + c];
  Graph& g = m.im().graph();
  const int filter_id = g.add_constant(g.values[m.in(1)].name + "/oihw", std::move(filter));
  Attributes a;
  m.set_spatial(a, o.padding(), o.stride_h(), o.stride_w());
  m.require(o.dilation_h_factor() > 0 && o.dilation_w_factor() > 0, "invalid dilations");
  a.set("dilations", std::vector<int64_t>{o.dilation_h_factor(), o.dilation_w_factor()});
  a.set("group", channels);
  m.set_fused_activation(a, o.fused_activation_function());
  m.emit("Conv", {m.in(0), filter_id, m.in(2)}, std::move(a));
}

// FULLY_CONNECTED flattens its input to [-1, K] unless keep_num_dims.
void map_fully_connected(OpMapper& m) {
  m.expect(2, 1);
  const auto& o = m.options(m.op().builtin_options_as_FullyConnectedOptions());
  m.require(o.weights_format() == tflite::FullyConnectedOptionsWeightsFormat_DEFAULT, "shuffled weights are not supported");
  const Shape w = m.im().declared_shape(m.input_tensor(1));
  m.require(w.size() == 2 && w[1] > 0, "weights must be [N, K]");
  int x = m.in(0);
  if (!o.keep_num_dims()) {
    x = m.im().add_temp(m.input_tensor(0), "flat");
    Attributes r;
    r.set("shape", std::vector<int64_t>{-1, w[1]});
    m.im().graph().add_node("Reshape", {m.in(0)}, {x}, std::move(r));
  }
  Attributes a;
  m.set_fused_activation(a, o.fused_activation_function());
  m.emit("Dense", {x, m.in(1), m.in(2)}, std::move(a));
}

void map_pool(OpMapper& m, const std::string& op) {
  m.expect(1, 1);
  const auto& o = m.options(m.op().builtin_options_as_Pool2DOptions());
  Attributes a;
  m.set_spatial(a, o.padding(), o.stride_h(), o.stride_w());
  m.require(o.filter_height() > 0 && o.filter_width() > 0 && o.filter_height() <= 4096 && o.filter_width() <= 4096,
            "invalid pool size");
  a.set("kernel", std::vector<int64_t>{o.filter_height(), o.filter_width()});
  m.emit(op, {m.in(0)}, std::move(a), o.fused_activation_function());
}

tflite::ActivationFunctionType binary_activation(const tflite::Operator& op) {
  if (const auto* o = op.builtin_options_as_AddOptions()) return o->fused_activation_function();
  if (const auto* o = op.builtin_options_as_SubOptions()) return o->fused_activation_function();
  if (const auto* o = op.builtin_options_as_MulOptions()) return o->fused_activation_function();
  if (const auto* o = op.builtin_options_as_DivOptions()) return o->fused_activation_function();
  return tflite::ActivationFunctionType_NONE;
}

void map_binary(OpMapper& m, const std::string& op) {
  m.expect(2, 1);
  m.emit(op, {m.in(0), m.in(1)}, {}, binary_activation(m.op()));
}

void map_unary(OpMapper& m, const std::string& op, Attributes a = {}) {
  m.expect(1, 1);
  m.emit(op, {m.in(0)}, std::move(a));
}

void map_reduce(OpMapper& m, const std::string& op) {
  m.expect(2, 1);
  const auto* o = m.op().builtin_options_as_ReducerOptions();
  Attributes a;
  a.set("axes", m.ints_input(1, "reduction axes"));
  a.set("keepdims", int64_t{o && o->keep_dims()});
  m.emit(op, {m.in(0)}, std::move(a));
}

void map_reshape(OpMapper& m) {
  m.require(m.input_count() >= 1 && m.input_tensor(0) >= 0 && m.output_count() == 1, "expects 1 or 2 inputs, 1 output");
  Attributes a;
  if (m.input_tensor(1) >= 0 && m.im().constant(m.in(1))) {
    a.set("shape", m.ints_input(1, "new shape"));
  } else if (m.input_tensor(1) >= 0) {
    m.emit("Reshape", {m.in(0), m.in(1)});
    return;
  } else {
    const auto& o = m.options(m.op().builtin_options_as_ReshapeOptions());
    m.require(o.new_shape() != nullptr, "no new shape");
    a.set("shape", std::vector<int64_t>(o.new_shape()->begin(), o.new_shape()->end()));
  }
  m.emit("Reshape", {m.in(0)}, std::move(a));
}

// TFLite paddings are [rank, 2] (before, after); the IR wants all befores
// then all afters.
void map_pad(OpMapper& m) {
  m.expect(2, 1);
  const Tensor& p = m.constant_input(1, "paddings");
  m.require(p.rank() == 2 && p.dim(1) == 2 && p.dtype() == DType::kInt32, "paddings must be int [rank, 2]");
  const auto v = p.to_int64();
  const int64_t rank = p.dim(0);
  std::vector<int64_t> pads(2 * rank);
  for (int64_t d = 0; d < rank; ++d) {
    pads[d] = v[2 * d];
    pads[rank + d] = v[2 * d + 1];
  }
  Attributes a;
  a.set("pads", pads);
  if (m.input_tensor(2) >= 0) {
    const Tensor& c = m.constant_input(2, "pad value");
    m.require(c.numel() == 1, "pad value must be a scalar");
    a.set("value", static_cast<double>(c.to_floats()[0]));
  }
  m.emit("Pad", {m.in(0)}, std::move(a));
}

void map_concat(OpMapper& m) {
  m.require(m.input_count() >= 1 && m.output_count() == 1, "expects inputs and 1 output");
  const auto& o = m.options(m.op().builtin_options_as_ConcatenationOptions());
  std::vector<int> inputs;
  for (size_t k = 0; k < m.input_count(); ++k) {
    m.require(m.input_tensor(k) >= 0, "omitted input");
    inputs.push_back(m.in(k));
  }
  Attributes a;
  a.set("axis", int64_t{o.axis()});
  m.emit("Concat", std::move(inputs), std::move(a), o.fused_activation_function());
}

void map_resize_bilinear(OpMapper& m) {
  m.expect(2, 1);
  const auto& o = m.options(m.op().builtin_options_as_ResizeBilinearOptions());
  const auto size = m.ints_input(1, "output size");
  m.require(size.size() == 2 && size[0] > 0 && size[1] > 0 && size[0] <= kMaxDim && size[1] <= kMaxDim,
            "output size must be two positive integers");
  Attributes a;
  a.set("mode", std::string("linear"));
  a.set("layout", std::string("NHWC"));
  a.set("size", size);
  a.set("coordinate_transformation_mode",
        std::string(o.align_corners() ? "align_corners" : o.half_pixel_centers() ? "half_pixel" : "asymmetric"));
  m.emit("Resize", {m.in(0)}, std::move(a));
}

void map_depth_to_space(OpMapper& m) {
  m.expect(1, 1);
  const auto& o = m.options(m.op().builtin_options_as_DepthToSpaceOptions());
  m.require(o.block_size() > 0 && o.block_size() <= 1024, "invalid block size");
  Attributes a;
  a.set("blocksize", int64_t{o.block_size()});
  a.set("layout", std::string("NHWC"));
  a.set("mode", std::string("DCR"));
  m.emit("DepthToSpace", {m.in(0)}, std::move(a));
}

// DEQUANTIZE and DENSIFY of weights: the decoder already produced dense
// float32 constants, so the output is that same constant (no runtime op).
void map_constant_conversion(OpMapper& m, const std::string& what) {
  m.expect(1, 1);
  const Tensor* c = m.im().constant(m.in(0));
  if (!c) {
    m.require(what == "DEQUANTIZE" && m.im().graph().values[m.in(0)].dtype == DType::kFloat32,
              what + " of a non-constant tensor is not supported");
    m.emit("Identity", {m.in(0)});
    return;
  }
  m.im().set_constant(m.output_tensor(0), c->clone());
}

void map_cast(OpMapper& m) {
  m.expect(1, 1);
  const tflite::TensorType to = m.im().tensor(m.output_tensor(0)).type();
  Attributes a;
  switch (to) {
    case tflite::TensorType_FLOAT32: a.set("to", std::string("float32")); break;
    case tflite::TensorType_INT32: a.set("to", std::string("int32")); break;
    case tflite::TensorType_BOOL: a.set("to", std::string("bool")); break;
    default: m.fail(std::string("cast to ") + tflite::EnumNameTensorType(to) + " is not supported");
  }
  m.emit("Cast", {m.in(0)}, std::move(a));
}

// STRIDED_SLICE becomes Slice; masks turn into "from the start" / "to the
// end" bounds, and shrunk axes are removed by a Reshape to the declared shape.
void map_strided_slice(OpMapper& m) {
  m.expect(4, 1);
  const auto& o = m.options(m.op().builtin_options_as_StridedSliceOptions());
  m.require(o.ellipsis_mask() == 0 && o.new_axis_mask() == 0 && !o.offset(),
            "ellipsis, new-axis and offset strided slices are not supported");
  auto begin = m.ints_input(1, "slice begin");
  auto end = m.ints_input(2, "slice end");
  const auto steps = m.ints_input(3, "slice strides");
  const size_t n = begin.size();
  m.require(n <= kMaxRank && end.size() == n && steps.size() == n, "begin, end and strides differ in length");
  std::vector<int64_t> axes;
  for (size_t i = 0; i < n; ++i) {
    m.require(steps[i] != 0, "zero stride");
    const bool forward = steps[i] > 0;
    if (o.begin_mask() & (1 << i)) begin[i] = forward ? 0 : kToEnd;
    if (o.end_mask() & (1 << i)) end[i] = forward ? kToEnd : -kToEnd;
    if (o.shrink_axis_mask() & (1 << i)) end[i] = begin[i] == -1 ? kToEnd : begin[i] + 1;
    axes.push_back(static_cast<int64_t>(i));
  }
  Attributes a;
  a.set("starts", begin);
  a.set("ends", end);
  a.set("axes", axes);
  a.set("steps", steps);
  if (o.shrink_axis_mask() == 0) {
    m.emit("Slice", {m.in(0)}, std::move(a));
    return;
  }
  const Shape declared = m.im().declared_shape(m.output_tensor(0));
  m.require(std::count_if(declared.begin(), declared.end(), [](int64_t d) { return d < 0; }) <= 1,
            "shrinking slice with an unknown output shape");
  const int sliced = m.im().add_temp(m.output_tensor(0), "unshrunk");
  m.im().graph().add_node("Slice", {m.in(0)}, {sliced}, std::move(a));
  Attributes r;
  r.set("shape", declared);
  m.emit("Reshape", {sliced}, std::move(r));
}

void map_leaky_relu(OpMapper& m) {
  const auto* o = m.op().builtin_options_as_LeakyReluOptions();
  Attributes a;
  a.set("alpha", static_cast<double>(o ? o->alpha() : 0.2f));
  map_unary(m, "LeakyRelu", std::move(a));
}

void map_softmax(OpMapper& m) {
  const auto* o = m.op().builtin_options_as_SoftmaxOptions();
  m.require(!o || o->beta() == 1.0f, "softmax with beta != 1 is not supported");
  Attributes a;
  a.set("axis", int64_t{-1});
  map_unary(m, "Softmax", std::move(a));
}

void map_clip(OpMapper& m, double lo, double hi) {
  Attributes a;
  a.set("min", lo);
  a.set("max", hi);
  map_unary(m, "Clip", std::move(a));
}

}  // namespace

void map_operator(Importer& im, const std::string& where, int32_t code, const tflite::Operator& op) {
  OpMapper m(im, where, op);
  switch (code) {
    case kConv2d: return map_conv(m);
    case kDepthwiseConv2d: return map_depthwise(m);
    case kFullyConnected: return map_fully_connected(m);
    case kMaxPool2d: return map_pool(m, "MaxPool");
    case kAveragePool2d: return map_pool(m, "AveragePool");
    case kAdd: return map_binary(m, "Add");
    case kSub: return map_binary(m, "Sub");
    case kMul: return map_binary(m, "Mul");
    case kDiv: return map_binary(m, "Div");
    case kMaximum: return map_binary(m, "Max");
    case kMinimum: return map_binary(m, "Min");
    case kPrelu: return map_binary(m, "Prelu");
    case kLess: return map_binary(m, "Less");
    case kLessEqual: return map_binary(m, "LessEqual");
    case kGreater: return map_binary(m, "Greater");
    case kGreaterEqual: return map_binary(m, "GreaterEqual");
    case kEqual: return map_binary(m, "Equal");
    case kNeg: return map_unary(m, "Neg");
    case kAbs: return map_unary(m, "Abs");
    case kExp: return map_unary(m, "Exp");
    case kSqrt: return map_unary(m, "Sqrt");
    case kRsqrt: return map_unary(m, "Rsqrt");
    case kRelu: return map_unary(m, "Relu");
    case kLogistic: return map_unary(m, "Sigmoid");
    case kTanh: return map_unary(m, "Tanh");
    case kRelu6: return map_clip(m, 0.0, 6.0);
    case kReluN1To1: return map_clip(m, -1.0, 1.0);
    case kLeakyRelu: return map_leaky_relu(m);
    case kSoftmax: return map_softmax(m);
    case kReduceMax: return map_reduce(m, "ReduceMax");
    case kReduceMin: return map_reduce(m, "ReduceMin");
    case kSum: return map_reduce(m, "ReduceSum");
    case kMean: return map_reduce(m, "ReduceMean");
    case kReshape: return map_reshape(m);
    case kPad: case kPadV2: return map_pad(m);
    case kConcatenation: return map_concat(m);
    case kResizeBilinear: return map_resize_bilinear(m);
    case kDepthToSpace: return map_depth_to_space(m);
    case kDequantize: return map_constant_conversion(m, "DEQUANTIZE");
    case kDensify: return map_constant_conversion(m, "DENSIFY");
    case kCast: return map_cast(m);
    case kStridedSlice: return map_strided_slice(m);
    default: m.fail("unsupported builtin operator " + std::to_string(code));
  }
}

}  // namespace facekit::nn::tflite_io
