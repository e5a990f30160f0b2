// load_tflite / load_tflite_bytes: verify the flatbuffer, then build the
// graph of its first subgraph tensor by tensor and operator by operator.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "facekit/nn/model.h"
#include "nn/tflite/tflite_importer.h"

namespace facekit::nn::tflite_io {

Importer::Importer(std::string name, const tflite::Model* model, size_t file_size)
    : name_(std::move(name)), model_(model), file_size_(file_size) {
  graph_.name = name_;
}

const tflite::Tensor& Importer::tensor(int index) const {
  const auto* tensors = subgraph_->tensors();
  check(tensors && index >= 0 && static_cast<size_t>(index) < tensors->size(), name_,
        "tensor index " + std::to_string(index) + " out of range");
  const auto* t = tensors->Get(index);
  check(t != nullptr, name_, "tensor " + std::to_string(index) + " is missing");
  return *t;
}

int Importer::value(int index) const {
  if (index == -1) return -1;
  tensor(index);  // range check
  return value_of_[index];
}

const Tensor* Importer::constant(int value_id) const {
  if (value_id < 0) return nullptr;
  const auto& c = graph_.values[value_id].constant;
  return c ? &*c : nullptr;
}

Shape Importer::declared_shape(int index) const {
  return checked_shape(name_ + ": tensor " + std::to_string(index), tensor(index).shape());
}

void Importer::set_constant(int index, Tensor t) {
  const int v = value(index);
  check(v >= 0 && !produced_[index] && !graph_.values[v].constant, name_,
        "tensor " + std::to_string(index) + " is written more than once");
  produced_[index] = 1;
  Value& value = graph_.values[v];
  value.dtype = t.dtype();
  value.shape = t.shape();
  value.constant = std::move(t);
}

int Importer::add_temp(int index, const std::string& suffix) {
  return graph_.add_value(graph_.values[value(index)].name + "/" + suffix);
}

void Importer::fail(const std::string& where, const std::string& reason) const {
  throw Error(name_ + ": " + where + ": " + reason);
}

namespace {
DType value_dtype(tflite::TensorType t) {
  switch (t) {
    case tflite::TensorType_INT32: case tflite::TensorType_INT64: return DType::kInt32;
    case tflite::TensorType_BOOL: return DType::kBool;
    default: return DType::kFloat32;
  }
}
}  // namespace

void Importer::create_values() {
  const auto* tensors = subgraph_->tensors();
  const size_t count = tensors ? tensors->size() : 0;
  value_of_.assign(count, -1);
  produced_.assign(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const tflite::Tensor& t = tensor(static_cast<int>(i));
    const std::string ctx = name_ + ": tensor " + std::to_string(i);
    const Shape shape = checked_shape(ctx, t.shape());
    std::string value_name = t.name() && t.name()->size() ? t.name()->str() : "tensor_" + std::to_string(i);
    if (auto c = decode_constant(ctx + " '" + value_name + "'", *model_, t, shape, file_size_)) {
      value_of_[i] = graph_.add_constant(std::move(value_name), std::move(*c));
    } else {
      value_of_[i] = graph_.add_value(std::move(value_name), value_dtype(t.type()), {});
    }
  }
}

void Importer::import_operator(int op_index, const tflite::Operator& op) {
  const auto* codes = model_->operator_codes();
  const uint32_t c = op.opcode_index();
  check(codes && c < codes->size() && codes->Get(c), name_,
        "operator " + std::to_string(op_index) + ": opcode index " + std::to_string(c) + " out of range");
  const auto* code = codes->Get(c);
  // Files from before schema 3a carry the code only in the deprecated byte.
  const int32_t builtin = std::max<int32_t>(code->deprecated_builtin_code(), code->builtin_code());
  std::string where = "operator " + std::to_string(op_index);
  if (op.outputs() && op.outputs()->size() > 0) {
    const int out = op.outputs()->Get(0);
    if (out >= 0) where += " ('" + graph_.values[value(out)].name + "')";
  }
  if (op.outputs())
    for (int32_t out : *op.outputs()) {
      const int v = value(out);
      check(v >= 0, name_, where + ": omitted output");
      check(!produced_[out] && !graph_.values[v].constant, name_,
            where + ": tensor " + std::to_string(out) + " is written more than once or is a constant");
    }
  map_operator(*this, where, builtin, op);
  if (op.outputs())
    for (int32_t out : *op.outputs()) produced_[out] = 1;
}

Graph Importer::import() {
  const auto* subgraphs = model_->subgraphs();
  check(subgraphs && subgraphs->size() > 0 && subgraphs->Get(0), name_, "the model has no subgraph");
  subgraph_ = subgraphs->Get(0);
  create_values();
  if (subgraph_->inputs())
    for (int32_t i : *subgraph_->inputs()) {
      const int v = value(i);
      check(v >= 0 && !graph_.values[v].constant, name_, "graph input " + std::to_string(i) + " is a constant or missing");
      check(std::find(graph_.inputs.begin(), graph_.inputs.end(), v) == graph_.inputs.end(), name_,
            "graph input " + std::to_string(i) + " is listed twice");
      graph_.values[v].shape = declared_shape(i);  // inputs keep their declared shapes
      graph_.inputs.push_back(v);
    }
  if (subgraph_->operators()) {
    int index = 0;
    for (const auto* op : *subgraph_->operators()) {
      check(op != nullptr, name_, "operator " + std::to_string(index) + " is missing");
      import_operator(index++, *op);
    }
  }
  if (subgraph_->outputs())
    for (int32_t o : *subgraph_->outputs()) {
      const int v = value(o);
      check(v >= 0, name_, "graph output " + std::to_string(o) + " is missing");
      graph_.outputs.push_back(v);
    }
  check(!graph_.outputs.empty(), name_, "the model has no outputs");
  return std::move(graph_);
}

}  // namespace facekit::nn::tflite_io

namespace facekit::nn {

namespace {

// After shape inference, before constant folding: refuses graphs whose
// declared shapes imply absurd tensors, and bounds what folding would
// allocate (a hostile file can ask to resize or pad a constant enormously).
void check_value_sizes(const std::string& name, const Graph& g) {
  constexpr int64_t kMaxValueElements = int64_t{1} << 28;
  constexpr int64_t kMaxFoldedElements = int64_t{1} << 27;
  auto known_numel = [](const Shape& s) -> int64_t {
    for (int64_t d : s)
      if (d < 0) return -1;
    return shape_numel(s, kMaxValueElements);  // throws past the limit
  };
  std::vector<char> is_constant(g.values.size(), 0);
  for (size_t v = 0; v < g.values.size(); ++v) {
    is_constant[v] = g.values[v].constant.has_value();
    try {
      known_numel(g.values[v].shape);
    } catch (const Error& e) {
      throw Error(name + ": tensor '" + g.values[v].name + "' is absurdly large: " + e.what());
    }
  }
  int64_t folded = 0;
  for (const Node& node : g.nodes) {  // topological after finalize()
    bool all_constant = !node.inputs.empty();
    for (int v : node.inputs) all_constant = all_constant && (v < 0 || is_constant[v]);
    if (!all_constant) continue;
    for (int v : node.outputs) {
      is_constant[v] = 1;
      folded += std::max<int64_t>(known_numel(g.values[v].shape), 0);
    }
    check(folded <= kMaxFoldedElements, name, "constant folding would allocate more than " +
                                                  std::to_string(kMaxFoldedElements) + " elements");
  }
}

Graph verify_and_import(const std::string& name, const uint8_t* data, size_t size) {
  check(data != nullptr && size >= 8, name, "too small to be a TFLite model (" + std::to_string(size) + " bytes)");
  check(size < FLATBUFFERS_MAX_BUFFER_SIZE, name, "larger than the 2 GiB flatbuffer limit");
  check(tflite::ModelBufferHasIdentifier(data), name, "not a TFLite model (no TFL3 identifier)");
  flatbuffers::Verifier verifier(data, size);
  check(tflite::VerifyModelBuffer(verifier), name, "corrupt TFLite flatbuffer (verification failed)");
  tflite_io::Importer importer(name, tflite::GetModel(data), size);
  Graph graph = importer.import();
  graph.finalize();
  check_value_sizes(name, graph);
  graph.fold_constants();
  return graph;
}
}  // namespace

Graph load_tflite_bytes(const std::string& name, const void* data, size_t size) {
  // Flatbuffer accessors read scalars in place: give them an aligned copy
  // when the caller's bytes are not (the file loader's always are).
  std::vector<uint8_t> aligned;  // operator new aligns to 16
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (bytes && reinterpret_cast<uintptr_t>(bytes) % 16 != 0) {
    aligned.assign(bytes, bytes + size);
    bytes = aligned.data();
  }
  try {
    return verify_and_import(name, bytes, size);
  } catch (const Error& e) {
    // Every message names the file, even one raised deep in a helper.
    if (std::string(e.what()).find(name) == std::string::npos) throw Error(name + ": " + e.what());
    throw;
  }
}

Graph load_tflite(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  check(!ec, path, "cannot read (" + ec.message() + ")");
  check(size < FLATBUFFERS_MAX_BUFFER_SIZE, path, "larger than the 2 GiB flatbuffer limit");
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path, "cannot open");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  check(in.gcount() == static_cast<std::streamsize>(bytes.size()), path, "truncated while reading");
  return load_tflite_bytes(path, bytes.data(), bytes.size());
}

}  // namespace facekit::nn
