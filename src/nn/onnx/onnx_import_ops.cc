// ONNX → IR for element-wise, reduction and tensor-manipulation operators,
// and the dispatch table from ONNX operator names to mappings.
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <map>

#include "facekit/error.h"
#include "nn/onnx/onnx_attrs.h"
#include "nn/onnx/onnx_import_ops.h"
#include "nn/onnx/onnx_tensor.h"

namespace facekit::nn::onnx_io {

namespace {

using Mapper = std::function<void(OnnxImporter&, const onnx::NodeProto&)>;

// Operators whose inputs, output and semantics match one-to-one.
Mapper same_as(const std::string& ir_op) {
  return [ir_op](OnnxImporter& im, const onnx::NodeProto& n) {
    std::vector<int> in;
    for (int k = 0; k < n.input_size(); ++k) in.push_back(im.input(n, k));
    im.emit_out(n, ir_op, in);
  };
}

// Before opset 7, binary operators broadcast only when asked (broadcast = 1),
// aligning B with A at `axis`; B gets trailing 1s to make that numpy-style.
int legacy_broadcast(OnnxImporter& im, const onnx::NodeProto& n, int a, int b) {
  OnnxAttrs at(n);
  if (im.opset() >= 7 || at.i("broadcast", 0) == 0 || !at.has("axis")) return b;
  const int64_t ra = static_cast<int64_t>(im.shape(a).size()), rb = static_cast<int64_t>(im.shape(b).size());
  int64_t axis = at.i("axis", 0);
  if (axis < 0) axis += ra;
  const int64_t trailing = ra - axis - rb;
  if (axis < 0 || trailing < 0) im.fail(n, "broadcast axis out of range");
  if (trailing == 0) return b;
  std::vector<int64_t> target;
  for (int64_t d : im.shape(b)) target.push_back(d < 0 ? 0 : d);  // 0 copies: dims keep their index
  target.insert(target.end(), static_cast<size_t>(trailing), 1);
  Attributes r;
  r.set("shape", target);
  return im.emit(n, "Reshape", {b}, r);
}

Mapper binary(const std::string& ir_op) {
  return [ir_op](OnnxImporter& im, const onnx::NodeProto& n) {
    const int a = im.need(n, 0);
    im.emit_out(n, ir_op, {a, legacy_broadcast(im, n, a, im.need(n, 1))});
  };
}

// PRelu before opset 7 applies a 1-D slope per channel (axis 1).
void map_prelu(OnnxImporter& im, const onnx::NodeProto& n) {
  const int x = im.need(n, 0);
  int slope = im.need(n, 1);
  const Shape& ss = im.shape(slope);
  const size_t r = im.shape(x).size();
  if (im.opset() < 7 && ss.size() == 1 && ss[0] != 1 && r >= 3) {
    std::vector<int64_t> target{ss[0] < 0 ? 0 : ss[0]};
    target.insert(target.end(), r - 2, 1);
    Attributes at;
    at.set("shape", target);
    slope = im.emit(n, "Reshape", {slope}, at);
  }
  im.emit_out(n, "Prelu", {x, slope});
}

// Max/Min/Sum/Mean take any number of inputs; the IR's are binary.
Mapper variadic(const std::string& ir_op, bool mean = false) {
  return [ir_op, mean](OnnxImporter& im, const onnx::NodeProto& n) {
    if (n.input_size() < 1) im.fail(n, "needs at least one input");
    int acc = im.need(n, 0);
    for (int k = 1; k < n.input_size(); ++k) acc = im.emit(n, ir_op, {acc, im.need(n, k)});
    if (mean && n.input_size() > 1)
      acc = im.emit(n, "Div", {acc, im.add_constant(n, Tensor::scalar(static_cast<float>(n.input_size())))});
    im.emit_out(n, "Identity", {acc});
  };
}

// ONNX Pow lets base and exponent differ in type (the result has the base's);
// the IR's needs one type. A float base takes the exponent as float (exact);
// an integer base is raised in float and truncated back, as ONNX Runtime does.
void map_pow(OnnxImporter& im, const onnx::NodeProto& n) {
  int base = im.need(n, 0), exponent = im.need(n, 1);
  const DType bt = im.graph().values[base].dtype, et = im.graph().values[exponent].dtype;
  if (bt == et) {
    im.emit_out(n, "Pow", {base, exponent});
    return;
  }
  Attributes to_float;
  to_float.set("to", std::string("float32"));
  exponent = et == DType::kFloat32 ? exponent : im.emit(n, "Cast", {exponent}, to_float);
  if (bt == DType::kFloat32) {
    im.emit_out(n, "Pow", {base, exponent});
    return;
  }
  const int y = im.emit(n, "Pow", {im.emit(n, "Cast", {base}, to_float), exponent});
  Attributes back;
  back.set("to", std::string(dtype_name(bt)));
  im.emit_out(n, "Cast", {y}, back);
}

void map_leaky_relu(OnnxImporter& im, const onnx::NodeProto& n) {
  Attributes at;
  at.set("alpha", static_cast<double>(OnnxAttrs(n).f("alpha", 0.01f)));
  im.emit_out(n, "LeakyRelu", {im.need(n, 0)}, at);
}

void map_clip(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  int x = im.need(n, 0);
  Attributes at;
  if (im.opset() < 11) {
    at.set("min", static_cast<double>(a.f("min", -std::numeric_limits<float>::infinity())));
    at.set("max", static_cast<double>(a.f("max", std::numeric_limits<float>::infinity())));
    im.emit_out(n, "Clip", {x}, at);
    return;
  }
  // Bounds are inputs since opset 11: constant ones become attributes, the
  // rest Max/Min nodes.
  const char* names[2] = {"min", "max"};
  for (int k = 1; k <= 2; ++k) {
    const int b = im.input(n, k);
    if (b < 0) continue;
    const Tensor* c = im.constant(b);
    if (c && c->numel() == 1 && c->dtype() == DType::kFloat32) at.set(names[k - 1], static_cast<double>(c->data<float>()[0]));
    else x = im.emit(n, k == 1 ? "Max" : "Min", {x, b});
  }
  im.emit_out(n, "Clip", {x}, at);
}

void map_cast(OnnxImporter& im, const onnx::NodeProto& n) {
  // Narrower integer targets would wrap in ONNX; the IR's int32 would not.
  const int64_t to = OnnxAttrs(n).i("to", 0);
  const auto dt = dtype_from_onnx(static_cast<int>(to));
  if (to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::INT32 && to != onnx::TensorProto::INT64 &&
      to != onnx::TensorProto::BOOL)
    im.fail(n, std::string("cast to ") + onnx_type_name(static_cast<int>(to)) + " is unsupported");
  Attributes at;
  at.set("to", std::string(dtype_name(*dt)));
  im.emit_out(n, "Cast", {im.need(n, 0)}, at);
}

// Static Reshape target for `in`: output dim i is input dim src[i], or a new
// 1 where src[i] < 0. Unknown dims that keep their index become 0 ("copy");
// at most one other unknown dim becomes -1.
std::vector<int64_t> reshape_target(OnnxImporter& im, const onnx::NodeProto& n, const Shape& in,
                                    const std::vector<int>& src) {
  std::vector<int64_t> out;
  int inferred = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] < 0) {
      out.push_back(1);
      continue;
    }
    const int64_t d = in[src[i]];
    const bool same_index = src[i] == static_cast<int>(i);
    if (d > 0 || (d == 0 && same_index)) out.push_back(d);
    else if (d < 0 && same_index) out.push_back(0);
    else if (d < 0 && ++inferred == 1) out.push_back(-1);
    else im.fail(n, "needs a static input shape, got " + shape_str(in));
  }
  return out;
}

int emit_reshape(OnnxImporter& im, const onnx::NodeProto& n, int x, const std::vector<int64_t>& target) {
  Attributes at;
  at.set("shape", target);
  return im.emit_out(n, "Reshape", {x}, at);
}

// Axes: an attribute until opset `input_since`, then input `axes_input`.
std::vector<int64_t> axes_of(OnnxImporter& im, const onnx::NodeProto& n, int axes_input, int64_t input_since = 13) {
  if (im.opset() < input_since) return OnnxAttrs(n).ints("axes");
  return im.input(n, axes_input) >= 0 ? im.const_ints(n, axes_input) : std::vector<int64_t>{};
}

int64_t normalise_axis(OnnxImporter& im, const onnx::NodeProto& n, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) im.fail(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

void map_squeeze(OnnxImporter& im, const onnx::NodeProto& n) {
  const int x = im.need(n, 0);
  const Shape& s = im.shape(x);
  const int64_t r = static_cast<int64_t>(s.size());
  std::vector<char> drop(r, 0);
  const auto axes = axes_of(im, n, 1);
  for (int64_t a : axes) drop[normalise_axis(im, n, a, r)] = 1;
  if (axes.empty())
    for (int64_t i = 0; i < r; ++i) {
      if (s[i] < 0) im.fail(n, "squeezing without axes needs a static shape");
      drop[i] = s[i] == 1;
    }
  std::vector<int> src;
  for (int64_t i = 0; i < r; ++i)
    if (!drop[i]) src.push_back(static_cast<int>(i));
  emit_reshape(im, n, x, reshape_target(im, n, s, src));
}

void map_unsqueeze(OnnxImporter& im, const onnx::NodeProto& n) {
  const int x = im.need(n, 0);
  const Shape& s = im.shape(x);
  const auto axes = axes_of(im, n, 1);
  const int64_t r = static_cast<int64_t>(s.size() + axes.size());
  std::vector<char> added(r, 0);
  for (int64_t a : axes) {
    const int64_t i = normalise_axis(im, n, a, r);
    if (added[i]) im.fail(n, "repeated axis");
    added[i] = 1;
  }
  std::vector<int> src;
  int next = 0;
  for (int64_t i = 0; i < r; ++i) src.push_back(added[i] ? -1 : next++);
  emit_reshape(im, n, x, reshape_target(im, n, s, src));
}

void map_flatten(OnnxImporter& im, const onnx::NodeProto& n) {
  const int x = im.need(n, 0);
  const Shape& s = im.shape(x);
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t axis = OnnxAttrs(n).i("axis", 1);
  if (axis < -r || axis > r) im.fail(n, "axis out of range");
  if (axis < 0) axis += r;
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) {
    if (s[i] < 0) {
      if (axis != 1) im.fail(n, "needs a static shape before the axis");
      outer = 0;  // copy the single leading dim
      break;
    }
    outer *= s[i];
  }
  emit_reshape(im, n, x, {outer, -1});
}

void map_reshape(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  if (im.opset() < 5) {
    emit_reshape(im, n, x, a.ints("shape"));
    return;
  }
  const int shape = im.need(n, 1);
  if (a.i("allowzero", 0) != 0) {
    const Tensor* c = im.constant(shape);
    if (!c) im.fail(n, "allowzero with a computed shape is unsupported");
    for (int64_t v : c->to_int64())
      if (v == 0) im.fail(n, "allowzero with a zero dimension is unsupported");
  }
  if (im.constant(shape)) {
    emit_reshape(im, n, x, im.const_ints(n, 1));
    return;
  }
  im.emit_out(n, "Reshape", {x, shape});
}

void map_shape(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  const Shape& xs = im.shape(x);
  const int64_t r = static_cast<int64_t>(xs.size());
  const bool static_shape = std::all_of(xs.begin(), xs.end(), [](int64_t d) { return d >= 0; });
  if (static_shape) {
    // A static shape is a constant: exporters' Shape -> Gather -> Concat ->
    // Reshape chains then fold away at load.
    int64_t start = std::clamp<int64_t>(a.i("start", 0), -r, r), end = std::clamp<int64_t>(a.i("end", r), -r, r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    std::vector<int32_t> dims;
    for (int64_t i = start; i < end; ++i) {
      if (xs[i] > std::numeric_limits<int32_t>::max()) im.fail(n, "dimension beyond the int32 range");
      dims.push_back(static_cast<int32_t>(xs[i]));
    }
    im.add_constant(n, Tensor::from_ints({static_cast<int64_t>(dims.size())}, dims), im.output_name(n, 0));
    return;
  }
  if (!a.has("start") && !a.has("end")) {
    im.emit_out(n, "Shape", {x});
    return;
  }
  const int s = im.emit(n, "Shape", {x});
  Attributes at;
  at.set("starts", std::vector<int64_t>{a.i("start", 0)});
  at.set("ends", std::vector<int64_t>{a.i("end", int64_t{1} << 62)});
  at.set("axes", std::vector<int64_t>{0});
  im.emit_out(n, "Slice", {s}, at);
}

// Gather has no IR operator; on constants (shape arithmetic) it is evaluated
// here, at load.
void map_gather(OnnxImporter& im, const onnx::NodeProto& n) {
  const Tensor* data = im.constant(im.need(n, 0));
  const Tensor* indices = im.constant(im.need(n, 1));
  if (!data || !indices) im.fail(n, "Gather of computed tensors is unsupported (only of constants)");
  if (indices->dtype() != DType::kInt32) im.fail(n, "indices must be integers");
  const int64_t r = data->rank();
  const int64_t axis = normalise_axis(im, n, OnnxAttrs(n).i("axis", 0), r);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= data->dim(static_cast<int>(i));
  for (int64_t i = axis + 1; i < r; ++i) inner *= data->dim(static_cast<int>(i));
  const int64_t extent = data->dim(static_cast<int>(axis));
  Shape out_shape(data->shape().begin(), data->shape().begin() + axis);
  out_shape.insert(out_shape.end(), indices->shape().begin(), indices->shape().end());
  out_shape.insert(out_shape.end(), data->shape().begin() + axis + 1, data->shape().end());
  Tensor out(data->dtype(), out_shape);
  const size_t es = dtype_size(data->dtype());
  const auto* src = static_cast<const unsigned char*>(data->raw());
  auto* dst = static_cast<unsigned char*>(out.raw());
  const int64_t count = indices->numel();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k) {
      int64_t idx = indices->data<int32_t>()[k];
      if (idx < -extent || idx >= extent) im.fail(n, "index " + std::to_string(idx) + " out of range");
      if (idx < 0) idx += extent;
      std::memcpy(dst + ((o * count + k) * inner) * es, src + ((o * extent + idx) * inner) * es, inner * es);
    }
  im.add_constant(n, std::move(out), im.output_name(n, 0));
}

// ConstantOfShape: a filled constant (its shape input must be constant).
void map_constant_of_shape(OnnxImporter& im, const onnx::NodeProto& n) {
  Shape shape;
  for (int64_t d : im.const_ints(n, 0)) shape.push_back(d);
  try {
    if (shape_numel(shape) > (int64_t{1} << 27)) im.fail(n, "constant of " + shape_str(shape) + " is too large");
  } catch (const Error& e) {
    im.fail(n, e.what());
  }
  Tensor value = Tensor::scalar(0.f);
  if (const auto* v = OnnxAttrs(n).tensor("value")) value = tensor_from_proto(*v, im.where(n));
  if (value.numel() != 1) im.fail(n, "value must hold one element");
  Tensor out(value.dtype(), shape);
  const size_t es = dtype_size(value.dtype());
  for (int64_t i = 0; i < out.numel(); ++i)
    std::memcpy(static_cast<unsigned char*>(out.raw()) + i * es, value.raw(), es);
  im.add_constant(n, std::move(out), im.output_name(n, 0));
}

void map_transpose(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  Attributes at;
  if (a.has("perm")) at.set("perm", a.ints("perm"));
  im.emit_out(n, "Transpose", {im.need(n, 0)}, at);
}

void map_concat(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  if (!a.has("axis")) im.fail(n, "attribute 'axis' is required");
  std::vector<int> in;
  for (int k = 0; k < n.input_size(); ++k) in.push_back(im.need(n, k));
  Attributes at;
  at.set("axis", a.i("axis", 0));
  im.emit_out(n, "Concat", in, at);
}

void map_slice(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const int x = im.need(n, 0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = a.ints("starts");
    ends = a.ints("ends");
    axes = a.ints("axes");
  } else {
    bool all_constant = true;
    for (int k = 1; k <= 4; ++k) all_constant &= im.constant_or_absent(n, k);
    if (!all_constant) {  // computed bounds: the kernel reads them as inputs
      im.emit_out(n, "Slice", {x, im.need(n, 1), im.need(n, 2), im.input(n, 3), im.input(n, 4)});
      return;
    }
    starts = im.const_ints(n, 1);
    ends = im.const_ints(n, 2);
    if (im.input(n, 3) >= 0) axes = im.const_ints(n, 3);
    if (im.input(n, 4) >= 0) steps = im.const_ints(n, 4);
  }
  if (ends.size() != starts.size()) im.fail(n, "starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size()) im.fail(n, "axes or steps differ in length");
  // The IR reads "to the end" as ±2^62; ONNX files use up to ±2^63.
  constexpr int64_t kBig = int64_t{1} << 62;
  for (auto* v : {&starts, &ends})
    for (auto& e : *v) e = std::clamp(e, -kBig, kBig);
  Attributes at;
  at.set("starts", starts);
  at.set("ends", ends);
  at.set("axes", axes);
  at.set("steps", steps);
  im.emit_out(n, "Slice", {x}, at);
}

void map_pad(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  const std::string mode = a.s("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect") im.fail(n, "pad mode '" + mode + "' is unknown");
  const int x = im.need(n, 0);
  Attributes at;
  at.set("mode", mode);
  std::vector<int64_t> pads;
  double value = 0;
  if (im.opset() < 11) {
    pads = a.ints(im.opset() < 2 ? "paddings" : "pads");
    value = a.f("value", 0.f);
  } else if (!im.constant_or_absent(n, 1) || !im.constant_or_absent(n, 2)) {
    if (im.input(n, 3) >= 0) im.fail(n, "the axes input is unsupported");
    im.emit_out(n, "Pad", {x, im.need(n, 1), im.input(n, 2)}, at);  // computed pads: kernel inputs
    return;
  } else {
    pads = im.const_ints(n, 1);
    if (im.input(n, 2) >= 0) {
      const auto v = im.const_floats(n, 2);
      if (v.size() != 1) im.fail(n, "constant_value must be a scalar");
      value = v[0];
    }
    if (im.input(n, 3) >= 0) im.fail(n, "the axes input is unsupported");
  }
  at.set("pads", pads);
  at.set("value", value);
  im.emit_out(n, "Pad", {x}, at);
}

void map_softmax(OnnxImporter& im, const onnx::NodeProto& n) {
  const int x = im.need(n, 0);
  const int64_t r = static_cast<int64_t>(im.shape(x).size());
  const int64_t axis = OnnxAttrs(n).i("axis", im.opset() >= 13 ? -1 : 1);
  Attributes at;
  if (im.opset() >= 13 || normalise_axis(im, n, axis, r) == r - 1) {
    at.set("axis", axis);
    im.emit_out(n, "Softmax", {x}, at);
    return;
  }
  // Before opset 13 the input is coerced to 2-D at `axis`: softmax over the
  // flattened tail, then back to the input's shape.
  const int64_t a = normalise_axis(im, n, axis, r);
  int64_t outer = 1;
  for (int64_t i = 0; i < a; ++i) {
    if (im.shape(x)[i] < 0) im.fail(n, "needs a static shape before the axis");
    outer *= im.shape(x)[i];
  }
  Attributes flat;
  flat.set("shape", std::vector<int64_t>{outer, -1});
  const int x2 = im.emit(n, "Reshape", {x}, flat);
  at.set("axis", int64_t{-1});
  const int y2 = im.emit(n, "Softmax", {x2}, at);
  im.emit_out(n, "Reshape", {y2, im.emit(n, "Shape", {x})});
}

// ReduceSum..ReduceProd map directly; L1, L2, SumSquare and LogSum are
// composed around a ReduceSum.
Mapper reduce(const std::string& kind) {
  return [kind](OnnxImporter& im, const onnx::NodeProto& n) {
    OnnxAttrs a(n);
    int x = im.need(n, 0);
    const bool direct = kind == "Sum" || kind == "Mean" || kind == "Max" || kind == "Min" || kind == "Prod";
    const std::string op = direct ? "Reduce" + kind : "ReduceSum";
    Attributes at;
    at.set("keepdims", a.i("keepdims", 1));
    if (kind == "L1") x = im.emit(n, "Abs", {x});
    if (kind == "L2" || kind == "SumSquare") x = im.emit(n, "Mul", {x, x});
    // Axes moved from attribute to input in opset 13 for ReduceSum, in 18 for
    // the rest; computed axes stay an input of the kernel.
    const int64_t input_since = kind == "Sum" ? 13 : 18;
    int axes_input = -1;
    if (im.opset() >= input_since && !im.constant_or_absent(n, 1)) {
      axes_input = im.need(n, 1);
      at.set("noop_with_empty_axes", a.i("noop_with_empty_axes", 0));
    } else {
      const auto axes = axes_of(im, n, 1, input_since);
      if (axes.empty() && a.i("noop_with_empty_axes", 0) != 0) {
        im.emit_out(n, "Identity", {x});
        return;
      }
      at.set("axes", axes);
    }
    std::vector<int> inputs{x};
    if (axes_input >= 0) inputs.push_back(axes_input);
    if (kind == "L2" || kind == "LogSum") {
      const int s = im.emit(n, op, inputs, at);
      im.emit_out(n, kind == "L2" ? "Sqrt" : "Log", {s});
      return;
    }
    im.emit_out(n, op, inputs, at);
  };
}

void map_constant(OnnxImporter& im, const onnx::NodeProto& n) {
  OnnxAttrs a(n);
  if (n.output_size() != 1) im.fail(n, "must have one output");
  const std::string context = im.where(n);
  onnx::TensorProto t;
  if (const auto* v = a.tensor("value")) {
    t = *v;
  } else if (a.has("value_float")) {
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_float_data(a.f("value_float", 0));
  } else if (a.has("value_floats")) {
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (float f : a.floats("value_floats")) t.add_float_data(f);
    t.add_dims(t.float_data_size());
  } else if (a.has("value_int")) {
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_int64_data(a.i("value_int", 0));
  } else if (a.has("value_ints")) {
    t.set_data_type(onnx::TensorProto::INT64);
    for (int64_t i : a.ints("value_ints")) t.add_int64_data(i);
    t.add_dims(t.int64_data_size());
  } else {
    im.fail(n, "no supported value attribute (sparse and string values are unsupported)");
  }
  t.set_name(im.output_name(n, 0));
  im.define_constant(n.output(0), t, context);
}

void map_identity(OnnxImporter& im, const onnx::NodeProto& n) {
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty()) im.fail(n, "only the first output is supported");
  im.emit_out(n, "Identity", {im.need(n, 0)});
}

const std::map<std::string, Mapper>& mappers() {
  static const std::map<std::string, Mapper> table = [] {
    std::map<std::string, Mapper> m;
    for (const char* op : {"MatMul", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Relu", "Sigmoid", "Tanh",
                           "Floor", "Ceil", "Sign"})
      m[op] = same_as(op);
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Less", "Greater", "Equal"}) m[op] = binary(op);
    m["PRelu"] = map_prelu;
    m["Pow"] = map_pow;
    m["LessOrEqual"] = binary("LessEqual");
    m["GreaterOrEqual"] = binary("GreaterEqual");
    m["Max"] = variadic("Max");
    m["Min"] = variadic("Min");
    m["Sum"] = variadic("Add");
    m["Mean"] = variadic("Add", true);
    m["LeakyRelu"] = map_leaky_relu;
    m["Clip"] = map_clip;
    m["Cast"] = map_cast;
    m["Softmax"] = map_softmax;
    for (const char* kind : {"Sum", "Mean", "Max", "Min", "Prod", "L1", "L2", "SumSquare", "LogSum"})
      m[std::string("Reduce") + kind] = reduce(kind);
    m["Reshape"] = map_reshape;
    m["Flatten"] = map_flatten;
    m["Squeeze"] = map_squeeze;
    m["Unsqueeze"] = map_unsqueeze;
    m["Shape"] = map_shape;
    m["Gather"] = map_gather;
    m["ConstantOfShape"] = map_constant_of_shape;
    m["Transpose"] = map_transpose;
    m["Concat"] = map_concat;
    m["Slice"] = map_slice;
    m["Pad"] = map_pad;
    m["Identity"] = map_identity;
    m["Dropout"] = map_identity;  // inference: the identity
    m["Constant"] = map_constant;
    m["Conv"] = map_conv;
    m["MaxPool"] = [](OnnxImporter& im, const onnx::NodeProto& n) { map_pool(im, n, "MaxPool"); };
    m["AveragePool"] = [](OnnxImporter& im, const onnx::NodeProto& n) { map_pool(im, n, "AveragePool"); };
    m["GlobalAveragePool"] = [](OnnxImporter& im, const onnx::NodeProto& n) { map_global_pool(im, n, "ReduceMean"); };
    m["GlobalMaxPool"] = [](OnnxImporter& im, const onnx::NodeProto& n) { map_global_pool(im, n, "ReduceMax"); };
    m["Gemm"] = map_gemm;
    m["BatchNormalization"] = map_batchnorm;
    m["Resize"] = map_resize;
    m["Upsample"] = map_upsample;
    m["DepthToSpace"] = map_depth_to_space;
    return m;
  }();
  return table;
}

}  // namespace

bool onnx_op_supported(const std::string& op_type) { return mappers().count(op_type) != 0; }

void map_onnx_node(OnnxImporter& im, const onnx::NodeProto& node) {
  const auto& table = mappers();
  auto it = table.find(node.op_type());
  if (it == table.end()) im.fail(node, "unsupported ONNX operator '" + node.op_type() + "'");
  it->second(im, node);
}

}  // namespace facekit::nn::onnx_io
