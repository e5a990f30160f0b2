#include "nn/onnx/onnx_importer.h"

#include <cmath>
#include <limits>

#include "facekit/error.h"
#include "nn/onnx/onnx_tensor.h"
#include "nn/op_registry.h"

namespace facekit::nn::onnx_io {

namespace {
// Load-time evaluation is for small things (shape arithmetic, folded weights);
// a constant expression claiming more than this many elements is hostile.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 27;
}  // namespace

OnnxImporter::OnnxImporter(std::string source, int64_t opset) : source_(std::move(source)), opset_(opset) {
  g_.name = source_;
}

std::string OnnxImporter::where(const onnx::NodeProto& node) const {
  // Exporters often leave nodes unnamed; the first output names them then.
  const std::string& id = node.name().empty() && node.output_size() > 0 ? node.output(0) : node.name();
  return source_ + ": node '" + id + "' (" + node.op_type() + ")";
}

void OnnxImporter::fail(const onnx::NodeProto& node, const std::string& reason) const {
  throw Error(where(node) + ": " + reason);
}

void OnnxImporter::bind(const std::string& name, int id) {
  check(!name.empty(), source_, "a value has an empty name");
  check(ids_.emplace(name, id).second, source_, "value '" + name + "' is defined more than once");
}

std::string OnnxImporter::temp_name(const onnx::NodeProto& node) {
  const std::string base = node.output_size() > 0 ? node.output(0) : node.name();
  return base + "::" + node.op_type() + "#" + std::to_string(temp_counter_++);
}

int OnnxImporter::define_constant(const std::string& name, const onnx::TensorProto& t, const std::string& context) {
  if (t.data_type() == onnx::TensorProto::INT64) {
    // Keep the exact values for shape-like arguments; only a tensor use of an
    // out-of-range value is an error (see input()).
    std::vector<int64_t> exact = ints_from_proto(t, context);
    Shape shape(t.dims().begin(), t.dims().end());
    Tensor narrow(DType::kInt32, shape);
    bool fits = true;
    for (size_t i = 0; i < exact.size(); ++i) {
      const int64_t v = exact[i];
      const bool ok = v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
      fits &= ok;
      narrow.data<int32_t>()[i] = ok ? static_cast<int32_t>(v) : (v < 0 ? std::numeric_limits<int32_t>::min()
                                                                         : std::numeric_limits<int32_t>::max());
    }
    const int id = g_.add_constant(name, std::move(narrow));
    exact_ints_[id] = std::move(exact);
    if (!fits) out_of_range_.insert(id);
    bind(name, id);
    return id;
  }
  const int id = g_.add_constant(name, tensor_from_proto(t, context));
  bind(name, id);
  return id;
}

void OnnxImporter::add_input(const onnx::ValueInfoProto& vi) {
  const std::string context = source_ + ": input '" + vi.name() + "'";
  check(vi.type().has_tensor_type(), context, "is not a tensor (sequences, maps and optionals are unsupported)");
  const auto& tt = vi.type().tensor_type();
  const auto dtype = dtype_from_onnx(tt.elem_type());
  check(dtype.has_value() && tt.elem_type() != onnx::TensorProto::FLOAT16, context,
        std::string("has type ") + onnx_type_name(tt.elem_type()) + ", which the runtime does not carry");
  Shape shape;
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      check(d.dim_value() >= 0, context, "has a negative dimension");
      shape.push_back(d.dim_value());
    } else {
      shape.push_back(-1);  // symbolic or unknown
    }
  }
  const int id = g_.add_value(vi.name(), *dtype, shape);
  bind(vi.name(), id);
  g_.inputs.push_back(id);
}

void OnnxImporter::import(const onnx::GraphProto& graph) {
  for (const auto& t : graph.initializer()) define_constant(t.name(), t, source_ + ": initializer '" + t.name() + "'");
  check(graph.sparse_initializer_size() == 0, source_, "sparse initializers are unsupported");
  for (const auto& vi : graph.input())
    if (!ids_.count(vi.name())) add_input(vi);
  for (const auto& node : graph.node()) map_node(node);
  for (const auto& vi : graph.output()) {
    auto it = ids_.find(vi.name());
    check(it != ids_.end(), source_, "graph output '" + vi.name() + "' is produced by no node");
    g_.outputs.push_back(it->second);
  }
  check(!g_.outputs.empty(), source_, "the graph has no outputs");
}

void OnnxImporter::map_node(const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    fail(node, "operator domain '" + node.domain() + "' is unsupported");
  for (int k = 0; k < node.input_size(); ++k)
    if (!node.input(k).empty() && !ids_.count(node.input(k)))
      fail(node, "input '" + node.input(k) + "' is undefined (or the graph is not topologically sorted)");
  map_onnx_node(*this, node);
}

int OnnxImporter::input(const onnx::NodeProto& node, int k) const {
  if (k >= node.input_size() || node.input(k).empty()) return -1;
  auto it = ids_.find(node.input(k));
  if (it == ids_.end()) fail(node, "input '" + node.input(k) + "' is undefined");
  if (out_of_range_.count(it->second))
    fail(node, "int64 tensor '" + node.input(k) + "' holds values outside the int32 range the runtime uses");
  return it->second;
}

int OnnxImporter::need(const onnx::NodeProto& node, int k) const {
  const int id = input(node, k);
  if (id < 0) fail(node, "input " + std::to_string(k) + " is required");
  return id;
}

const Tensor* OnnxImporter::constant(int id) const {
  if (id < 0 || !g_.values[id].constant) return nullptr;
  return &*g_.values[id].constant;
}

const std::string& OnnxImporter::output_name(const onnx::NodeProto& node, int k) const {
  if (k >= node.output_size() || node.output(k).empty()) fail(node, "output " + std::to_string(k) + " is missing");
  return node.output(k);
}

int OnnxImporter::value_id(const onnx::NodeProto& node, const std::string& name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) fail(node, "value '" + name + "' is undefined");
  return it->second;
}

bool OnnxImporter::constant_or_absent(const onnx::NodeProto& node, int k) const {
  if (k >= node.input_size() || node.input(k).empty()) return true;
  auto it = ids_.find(node.input(k));
  return it != ids_.end() && g_.values[it->second].constant.has_value();
}

std::vector<int64_t> OnnxImporter::const_ints(const onnx::NodeProto& node, int k) const {
  if (k >= node.input_size() || node.input(k).empty()) fail(node, "input " + std::to_string(k) + " is required");
  auto it = ids_.find(node.input(k));
  if (it == ids_.end()) fail(node, "input '" + node.input(k) + "' is undefined");
  if (auto e = exact_ints_.find(it->second); e != exact_ints_.end()) return e->second;
  const Tensor* t = constant(it->second);
  if (!t) fail(node, "input '" + node.input(k) + "' must be a constant");
  if (t->dtype() == DType::kFloat32) fail(node, "input '" + node.input(k) + "' must hold integers");
  return t->to_int64();
}

std::vector<float> OnnxImporter::const_floats(const onnx::NodeProto& node, int k) const {
  const Tensor* t = constant(need(node, k));
  if (!t) fail(node, "input '" + node.input(k) + "' must be a constant");
  return t->to_floats();
}

int OnnxImporter::add_constant(const onnx::NodeProto& node, Tensor t, const std::string& out_name) {
  const std::string name = out_name.empty() ? temp_name(node) : out_name;
  const int id = g_.add_constant(name, std::move(t));
  if (!out_name.empty()) bind(out_name, id);
  return id;
}

int OnnxImporter::emit(const onnx::NodeProto& node, const std::string& op, std::vector<int> inputs, Attributes attrs,
                       const std::string& out_name) {
  const auto& registry = OpRegistry::instance();
  if (!registry.has(op)) fail(node, "the runtime has no '" + op + "' operator yet");
  const OpDef& def = registry.get(op);
  Node ir{op, node.name(), inputs, {}, std::move(attrs)};
  std::vector<ValueInfo> in;
  bool all_constant = !inputs.empty();
  for (int v : inputs) {
    if (v < 0) {
      in.push_back(ValueInfo{});
      continue;
    }
    const Value& val = g_.values[v];
    in.push_back(ValueInfo{val.dtype, val.shape, val.constant ? &*val.constant : nullptr});
    all_constant &= val.constant.has_value();
  }
  std::vector<ValueInfo> out(1);
  try {
    def.infer(ir, in, out);
  } catch (const Error& e) {
    fail(node, e.what());
  }
  const std::string name = out_name.empty() ? temp_name(node) : out_name;
  int id;
  if (all_constant) {
    // Evaluate now: later mappings may need the value (e.g. a Reshape target).
    try {
      (void)shape_numel(out[0].shape, kMaxFoldedElements);
    } catch (const Error& e) {
      fail(node, std::string("constant result: ") + e.what());
    }
    std::vector<const Tensor*> in_tensors;
    for (int v : inputs) in_tensors.push_back(v < 0 ? nullptr : &*g_.values[v].constant);
    Tensor result(out[0].dtype, out[0].shape);
    std::vector<Tensor*> outs{&result};
    try {
      def.run(ir, in_tensors, outs);
    } catch (const Error& e) {
      fail(node, e.what());
    }
    id = g_.add_constant(name, std::move(result));
  } else {
    id = g_.add_value(name, out[0].dtype, out[0].shape);
    ir.outputs = {id};
    if (ir.name.empty()) ir.name = name;
    g_.nodes.push_back(std::move(ir));
  }
  if (!out_name.empty()) bind(out_name, id);
  return id;
}

int OnnxImporter::emit_out(const onnx::NodeProto& node, const std::string& op, std::vector<int> inputs,
                           Attributes attrs, int k) {
  return emit(node, op, std::move(inputs), std::move(attrs), output_name(node, k));
}

}  // namespace facekit::nn::onnx_io
