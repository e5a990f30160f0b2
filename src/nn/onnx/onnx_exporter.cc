#include "nn/onnx/onnx_exporter.h"

#include <cmath>
#include <map>
#include <variant>

#include "facekit/error.h"
#include "nn/onnx/onnx_tensor.h"
#include "nn/op_registry.h"

namespace facekit::nn::onnx_io {

namespace {

void set_i(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void set_f(onnx::NodeProto* n, const std::string& name, double v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(static_cast<float>(v));
}
void set_s(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

int onnx_elem_type(DType t) {
  switch (t) {
    case DType::kFloat32: return onnx::TensorProto::FLOAT;
    case DType::kInt32: return onnx::TensorProto::INT64;  // the IR's int32 is ONNX's int64
    case DType::kBool: return onnx::TensorProto::BOOL;
  }
  return onnx::TensorProto::UNDEFINED;
}

void describe(const Value& v, const std::string& name, onnx::ValueInfoProto* vi) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_elem_type(v.dtype));
  auto* shape = tt->mutable_shape();
  for (int64_t d : v.shape) {
    auto* dim = shape->add_dim();
    if (d >= 0) dim->set_dim_value(d);
  }
}

// The IR's [O, KH, KW, I/group] filter as ONNX's OIHW.
Tensor ohwi_to_oihw(const Tensor& w) {
  const int64_t O = w.dim(0), H = w.dim(1), W = w.dim(2), I = w.dim(3);
  Tensor out(DType::kFloat32, {O, I, H, W});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t o = 0; o < O; ++o)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t x = 0; x < W; ++x)
        for (int64_t i = 0; i < I; ++i) dst[((o * I + i) * H + h) * W + x] = src[((o * H + h) * W + x) * I + i];
  return out;
}

Tensor transpose2d(const Tensor& w) {
  const int64_t R = w.dim(0), C = w.dim(1);
  Tensor out(DType::kFloat32, {C, R});
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) out.data<float>()[c * R + r] = w.data<float>()[r * C + c];
  return out;
}

bool is_nchw(const Node& node) { return node.attrs.s("layout", "NHWC") == "NCHW"; }

const std::map<std::string, std::string>& same_name_ops() {
  static const std::map<std::string, std::string> m = {
      {"MatMul", "MatMul"}, {"Add", "Add"}, {"Sub", "Sub"}, {"Mul", "Mul"}, {"Div", "Div"}, {"Pow", "Pow"},
      {"Max", "Max"}, {"Min", "Min"}, {"Prelu", "PRelu"}, {"Less", "Less"}, {"LessEqual", "LessOrEqual"},
      {"Greater", "Greater"}, {"GreaterEqual", "GreaterOrEqual"}, {"Equal", "Equal"}, {"Neg", "Neg"},
      {"Abs", "Abs"}, {"Exp", "Exp"}, {"Log", "Log"}, {"Sqrt", "Sqrt"}, {"Reciprocal", "Reciprocal"},
      {"Relu", "Relu"}, {"Sigmoid", "Sigmoid"}, {"Tanh", "Tanh"}, {"Floor", "Floor"}, {"Ceil", "Ceil"},
      {"Sign", "Sign"}, {"Identity", "Identity"}, {"Shape", "Shape"}};
  return m;
}

}  // namespace

OnnxExporter::OnnxExporter(const Graph& graph, onnx::GraphProto* out)
    : g_(graph), out_(out), names_(graph.values.size()), emitted_(graph.values.size(), 0) {
  // Unique, non-empty names: IR names come from other formats and may clash.
  for (size_t v = 0; v < g_.values.size(); ++v) {
    std::string n = g_.values[v].name.empty() ? "v" + std::to_string(v) : g_.values[v].name;
    if (taken_.count(n)) n += "__" + std::to_string(v);
    names_[v] = n;
    taken_.insert(n);
  }
}

void OnnxExporter::fail(const Node& node, const std::string& reason) const {
  throw Error(node_context(g_.name, node) + ": cannot export to ONNX: " + reason);
}

std::string OnnxExporter::fresh(const std::string& base) {
  std::string n;
  do n = base + "__" + std::to_string(counter_++);
  while (taken_.count(n));
  taken_.insert(n);
  return n;
}

std::string OnnxExporter::use(int id) {
  if (id < 0) return "";
  if (g_.values[id].constant && !emitted_[id]) {
    tensor_to_proto(*g_.values[id].constant, names_[id], out_->add_initializer());
    emitted_[id] = 1;
  }
  return names_[id];
}

std::string OnnxExporter::add_initializer(const Tensor& t, const std::string& base) {
  const std::string name = fresh(base);
  tensor_to_proto(t, name, out_->add_initializer());
  return name;
}

std::string OnnxExporter::int64s(const std::vector<int64_t>& v, const std::string& base) {
  const std::string name = fresh(base);
  auto* p = out_->add_initializer();
  p->set_name(name);
  p->set_data_type(onnx::TensorProto::INT64);
  p->add_dims(static_cast<int64_t>(v.size()));
  for (int64_t x : v) p->add_int64_data(x);
  return name;
}

onnx::NodeProto* OnnxExporter::add(const std::string& op, std::vector<std::string> inputs,
                                   std::vector<std::string> outputs) {
  // Trailing omitted optional inputs are dropped; inner ones stay as "".
  while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();
  auto* n = out_->add_node();
  n->set_op_type(op);
  n->set_name(fresh(outputs.empty() ? op : outputs[0] + "_" + op));
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return n;
}

void OnnxExporter::activation(const Node& node, const std::string& x, const std::string& out, int slope_input,
                              bool channels_first) {
  const std::string act = node.attrs.s("activation", "");
  if (act.empty() || act == "None" || act == "NONE") {
    add("Identity", {x}, {out});
  } else if (act == "Relu" || act == "Sigmoid" || act == "Tanh") {
    add(act, {x}, {out});
  } else if (act == "Relu6" || act == "Clip") {
    const double lo = act == "Relu6" ? 0.0 : node.attrs.f("clip_min", -INFINITY);
    const double hi = act == "Relu6" ? 6.0 : node.attrs.f("clip_max", INFINITY);
    add("Clip", {x, add_initializer(Tensor::scalar(static_cast<float>(lo)), out + "_min"),
                 add_initializer(Tensor::scalar(static_cast<float>(hi)), out + "_max")},
        {out});
  } else if (act == "LeakyRelu") {
    set_f(add("LeakyRelu", {x}, {out}), "alpha", node.attrs.f("alpha", 0.2));  // the fused default is TF's 0.2
  } else if (act == "Prelu") {
    if (slope_input >= static_cast<int>(node.inputs.size()) || node.inputs[slope_input] < 0)
      fail(node, "Prelu activation without a slope");
    // The fused slope is per channel; ONNX PRelu broadcasts numpy-style, so
    // give it the trailing 1s of a channels-first tensor.
    const std::vector<int64_t> target = channels_first ? std::vector<int64_t>{-1, 1, 1} : std::vector<int64_t>{-1};
    const std::string slope = fresh(out + "_slope");
    add("Reshape", {use(node.inputs[slope_input]), int64s(target, out + "_slope_shape")}, {slope});
    add("PRelu", {x, slope}, {out});
  } else {
    fail(node, "unknown fused activation '" + act + "'");
  }
}

std::string OnnxExporter::spatial(const Node& node, const std::string& op, const std::vector<std::string>& extra,
                                  const std::string& out, bool has_activation, onnx::NodeProto** made) {
  const bool nhwc = !is_nchw(node);
  std::string x = use(node.inputs.at(0));
  if (nhwc) {
    const std::string t = fresh(x + "_nchw");
    set_ints(add("Transpose", {x}, {t}), "perm", {0, 3, 1, 2});
    x = t;
  }
  const std::string y = (nhwc || has_activation) ? fresh(out + "_" + op) : out;
  std::vector<std::string> inputs{x};
  inputs.insert(inputs.end(), extra.begin(), extra.end());
  *made = add(op, inputs, {y});
  if (!nhwc) return y;
  const std::string back = has_activation ? fresh(out + "_nhwc") : out;
  set_ints(add("Transpose", {y}, {back}), "perm", {0, 2, 3, 1});
  return back;
}

void OnnxExporter::export_node(const Node& node) {
  const std::string& op = node.op;
  auto in = [&](size_t k) { return k < node.inputs.size() ? use(node.inputs[k]) : std::string(); };
  if (node.outputs.size() != 1) fail(node, "expected one output");
  const std::string out = names_[node.outputs[0]];
  const Attributes& at = node.attrs;

  if (auto it = same_name_ops().find(op); it != same_name_ops().end()) {
    std::vector<std::string> ins;
    for (size_t k = 0; k < node.inputs.size(); ++k) ins.push_back(in(k));
    add(it->second, ins, {out});
  } else if (op == "Rsqrt") {
    const std::string s = fresh(out + "_sqrt");
    add("Sqrt", {in(0)}, {s});
    add("Reciprocal", {s}, {out});
  } else if (op == "Square") {
    add("Mul", {in(0), in(0)}, {out});
  } else if (op == "LeakyRelu") {
    set_f(add("LeakyRelu", {in(0)}, {out}), "alpha", at.f("alpha", 0.01));
  } else if (op == "Clip") {
    std::string lo = in(1), hi = in(2);
    if (lo.empty() && at.has("min")) lo = add_initializer(Tensor::scalar(static_cast<float>(at.f("min", 0))), out + "_min");
    if (hi.empty() && at.has("max")) hi = add_initializer(Tensor::scalar(static_cast<float>(at.f("max", 0))), out + "_max");
    add("Clip", {in(0), lo, hi}, {out});
  } else if (op == "Cast") {
    // `to` is a dtype name, or (an accepted extension) an ONNX type code.
    std::string to;
    if (auto it = at.all().find("to"); it != at.all().end() && std::holds_alternative<int64_t>(it->second)) {
      const int64_t code = std::get<int64_t>(it->second);
      to = code == onnx::TensorProto::FLOAT ? "float32"
         : code == onnx::TensorProto::INT32 || code == onnx::TensorProto::INT64 ? "int32"
         : code == onnx::TensorProto::BOOL ? "bool" : std::to_string(code);
    } else {
      to = at.s("to", "");
    }
    const int t = to == "float32" ? onnx::TensorProto::FLOAT : to == "int32" ? onnx::TensorProto::INT64
                : to == "bool"    ? onnx::TensorProto::BOOL  : onnx::TensorProto::UNDEFINED;
    if (t == onnx::TensorProto::UNDEFINED) fail(node, "cast to '" + to + "'");
    set_i(add("Cast", {in(0)}, {out}), "to", t);
  } else if (op == "Softmax") {
    set_i(add("Softmax", {in(0)}, {out}), "axis", at.i("axis", -1));
  } else if (op.rfind("Reduce", 0) == 0) {
    const auto axes = at.ints("axes");
    onnx::NodeProto* n;
    if (op == "ReduceSum") {
      std::string axes_in = in(1);
      if (axes_in.empty() && !axes.empty()) axes_in = int64s(axes, out + "_axes");
      n = add(op, {in(0), axes_in}, {out});
      if (at.has("noop_with_empty_axes")) set_i(n, "noop_with_empty_axes", at.i("noop_with_empty_axes", 0));
    } else {
      if (!in(1).empty()) fail(node, "computed reduction axes (opset 13 takes them as an attribute)");
      n = add(op, {in(0)}, {out});
      if (!axes.empty()) set_ints(n, "axes", axes);
    }
    set_i(n, "keepdims", at.i("keepdims", 1));
  } else if (op == "Conv") {
    if (node.inputs.size() > 4 && node.inputs[4] >= 0) fail(node, "a fused residual input (export before optimize())");
    const int w = node.inputs.at(1);
    std::string filter;
    if (g_.values[w].constant) {
      filter = add_initializer(ohwi_to_oihw(*g_.values[w].constant), names_[w] + "_oihw");
    } else {
      filter = fresh(names_[w] + "_oihw");
      set_ints(add("Transpose", {use(w)}, {filter}), "perm", {0, 3, 1, 2});
    }
    const std::string act = at.s("activation", "");
    const bool has_act = !act.empty() && act != "None" && act != "NONE";
    onnx::NodeProto* n = nullptr;
    const std::string y = spatial(node, "Conv", {filter, in(2)}, out, has_act, &n);
    set_ints(n, "strides", at.ints("strides", {1, 1}));
    set_ints(n, "dilations", at.ints("dilations", {1, 1}));
    set_i(n, "group", at.i("group", 1));
    const auto& ws = g_.values[w].shape;
    if (ws.size() == 4 && ws[1] > 0 && ws[2] > 0) set_ints(n, "kernel_shape", {ws[1], ws[2]});
    const std::string pad = at.s("auto_pad", "NOTSET");
    if (pad != "NOTSET" && !pad.empty()) set_s(n, "auto_pad", pad == "SAME" ? "SAME_UPPER" : pad);
    else set_ints(n, "pads", at.ints("pads", {0, 0, 0, 0}));
    if (has_act) activation(node, y, out, 3, is_nchw(node));
  } else if (op == "MaxPool" || op == "AveragePool") {
    onnx::NodeProto* n = nullptr;
    spatial(node, op, {}, out, false, &n);
    set_ints(n, "kernel_shape", at.has("kernel") ? at.ints("kernel") : at.ints("kernel_shape"));
    set_ints(n, "strides", at.ints("strides", {1, 1}));
    const std::string pad = at.s("auto_pad", "NOTSET");
    if (pad != "NOTSET" && !pad.empty()) set_s(n, "auto_pad", pad == "SAME" ? "SAME_UPPER" : pad);
    else set_ints(n, "pads", at.ints("pads", {0, 0, 0, 0}));
    if (at.i("ceil_mode", 0)) set_i(n, "ceil_mode", 1);
    if (at.has("dilations")) set_ints(n, "dilations", at.ints("dilations"));
    if (op == "AveragePool") set_i(n, "count_include_pad", at.i("count_include_pad", 0));
  } else if (op == "DepthToSpace") {
    onnx::NodeProto* n = nullptr;
    spatial(node, op, {}, out, false, &n);
    set_i(n, "blocksize", at.i("blocksize"));
    set_s(n, "mode", at.s("mode", "DCR"));
  } else if (op == "Resize") {
    std::vector<std::string> extra{""};  // roi
    if (at.has("size")) {
      const Shape& xs = g_.values[node.inputs.at(0)].shape;
      const bool nchw = is_nchw(node);
      if (xs.size() != 4) fail(node, "input rank unknown");
      const int64_t N = xs[0], C = nchw ? xs[1] : xs[3];
      if (N < 0 || C < 0) fail(node, "a size-based resize needs a static batch and channel count");
      const auto size = at.ints("size");
      extra.push_back("");
      extra.push_back(int64s({N, C, size.at(0), size.at(1)}, out + "_sizes"));
    } else {
      const auto s = at.floats("scales");
      if (s.size() != 2) fail(node, "needs size or scales");
      extra.push_back(add_initializer(
          Tensor::from_floats({4}, {1.f, 1.f, static_cast<float>(s[0]), static_cast<float>(s[1])}), out + "_scales"));
    }
    onnx::NodeProto* n = nullptr;
    spatial(node, op, extra, out, false, &n);
    const std::string mode = at.s("mode", "linear");
    set_s(n, "mode", mode == "bilinear" ? "linear" : mode);
    set_s(n, "coordinate_transformation_mode", at.s("coordinate_transformation_mode", "half_pixel"));
    if (mode == "nearest") set_s(n, "nearest_mode", at.s("nearest_mode", "floor"));
  } else if (op == "Dense") {
    const int w = node.inputs.at(1);
    const std::string act = at.s("activation", "");
    const bool has_act = !act.empty() && act != "None" && act != "NONE";
    const std::string y = has_act ? fresh(out + "_dense") : out;
    if (g_.values[node.inputs[0]].shape.size() == 2) {
      set_i(add("Gemm", {in(0), use(w), in(2)}, {y}), "transB", 1);
    } else {
      std::string wt;
      if (g_.values[w].constant) {
        wt = add_initializer(transpose2d(*g_.values[w].constant), names_[w] + "_t");
      } else {
        wt = fresh(names_[w] + "_t");
        set_ints(add("Transpose", {use(w)}, {wt}), "perm", {1, 0});
      }
      const std::string b = in(2);
      const std::string m = b.empty() ? y : fresh(out + "_matmul");
      add("MatMul", {in(0), wt}, {m});
      if (!b.empty()) add("Add", {m, b}, {y});
    }
    if (has_act) activation(node, y, out, 3, false);
  } else if (op == "Reshape") {
    const std::string shape = node.inputs.size() > 1 && node.inputs[1] >= 0 ? in(1) : int64s(at.ints("shape"), out + "_shape");
    add("Reshape", {in(0), shape}, {out});
  } else if (op == "Transpose") {
    auto* n = add("Transpose", {in(0)}, {out});
    if (at.has("perm")) set_ints(n, "perm", at.ints("perm"));
  } else if (op == "Concat") {
    std::vector<std::string> ins;
    for (size_t k = 0; k < node.inputs.size(); ++k) ins.push_back(in(k));
    set_i(add("Concat", ins, {out}), "axis", at.i("axis"));
  } else if (op == "Slice") {
    if (node.inputs.size() > 1) {  // bounds given as inputs (IR int32 = ONNX int64)
      add("Slice", {in(0), in(1), in(2), in(3), in(4)}, {out});
    } else {
      std::vector<std::string> ins{in(0), int64s(at.ints("starts"), out + "_starts"), int64s(at.ints("ends"), out + "_ends")};
      ins.push_back(at.has("axes") ? int64s(at.ints("axes"), out + "_axes") : "");
      ins.push_back(at.has("steps") ? int64s(at.ints("steps"), out + "_steps") : "");
      add("Slice", ins, {out});
    }
  } else if (op == "Pad") {
    const std::string mode = at.s("mode", "constant");
    std::string pads = in(1), value = in(2);
    if (pads.empty()) pads = int64s(at.ints("pads"), out + "_pads");
    if (value.empty() && mode == "constant" && g_.values[node.inputs.at(0)].dtype == DType::kFloat32)
      value = add_initializer(Tensor::scalar(static_cast<float>(at.f("value", 0))), out + "_value");
    set_s(add("Pad", {in(0), pads, value}, {out}), "mode", mode);
  } else {
    fail(node, "no ONNX mapping for operator '" + op + "'");
  }
}

void OnnxExporter::run() {
  out_->set_name(g_.name.empty() ? "facekit" : g_.name);
  for (int v : g_.inputs) describe(g_.values[v], names_[v], out_->add_input());
  for (const Node& node : g_.nodes) export_node(node);
  for (int v : g_.outputs) {
    std::string name = use(v);
    if (g_.values[v].constant) {  // an output must be produced by a node
      name = fresh(names_[v] + "_out");
      add("Identity", {use(v)}, {name});
    }
    describe(g_.values[v], name, out_->add_output());
  }
}

}  // namespace facekit::nn::onnx_io
