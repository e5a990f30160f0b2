// load_onnx / load_onnx_bytes: the ONNX loader's entry points.
#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "nn/onnx/onnx_importer.h"

namespace facekit::nn {

namespace {
// Protobuf cannot parse messages of 2 GiB or more; refuse before reading.
constexpr size_t kMaxOnnxBytes = (size_t{1} << 31) - 1;

int64_t onnx_opset(const onnx::ModelProto& model, const std::string& name) {
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") return op.version();
  throw Error(name + ": the model imports no ai.onnx operator set");
}


Graph parse_and_import(const std::string& name, const void* data, size_t size,
                       std::map<std::string, std::string>* metadata) {
  check(size <= kMaxOnnxBytes, name, "larger than 2 GiB, the limit of the protobuf format");
  check(data != nullptr || size == 0, name, "no data");
  onnx::ModelProto model;
  check(model.ParseFromArray(data, static_cast<int>(size)), name, "not an ONNX model (protobuf parse failed)");
  check(model.has_graph(), name, "not an ONNX model (no graph)");
  if (metadata)
    for (const auto& prop : model.metadata_props()) (*metadata)[prop.key()] = prop.value();
  onnx_io::OnnxImporter importer(name, onnx_opset(model, name));
  importer.import(model.graph());
  Graph graph = std::move(importer.graph());
  graph.finalize();
  graph.fold_constants();
  return graph;
}

// Every message names the file, even one raised deep in a helper.
Graph load_named(const std::string& name, const void* data, size_t size, std::map<std::string, std::string>* metadata) {
  try {
    return parse_and_import(name, data, size, metadata);
  } catch (const Error& e) {
    if (std::string(e.what()).find(name) == std::string::npos) throw Error(name + ": " + e.what());
    throw;
  }
}

Graph read_onnx_file(const std::string& path, std::map<std::string, std::string>* metadata) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  check(!ec, path, "cannot read (" + ec.message() + ")");
  check(size <= kMaxOnnxBytes, path, "larger than 2 GiB, the limit of the protobuf format");
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path, "cannot open");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  check(in.gcount() == static_cast<std::streamsize>(bytes.size()), path, "truncated while reading");
  return load_named(path, bytes.data(), bytes.size(), metadata);
}
}  // namespace

Graph load_onnx_bytes(const std::string& name, const void* data, size_t size) {
  return load_named(name, data, size, nullptr);
}

Graph load_onnx(const std::string& path) { return read_onnx_file(path, nullptr); }

Graph load_onnx(const std::string& path, std::map<std::string, std::string>& metadata) {
  return read_onnx_file(path, &metadata);
}

}  // namespace facekit::nn
