// load_model: picks the loader from the file's name and first bytes.
#include <filesystem>
#include <fstream>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "facekit/zoo.h"

namespace facekit::nn {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Graph load_model(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  check(fs::is_regular_file(path, ec), path, "no such model file");
  const std::string name = fs::path(path).filename().string();
  if (ends_with(name, ".tflite")) return load_tflite(path);
  if (ends_with(name, ".onnx")) return load_onnx(path);
  if (ends_with(name, "-weights_manifest.json")) return load_faceapi(path);
  if (ends_with(name, ".json")) return load_tfjs_graph(path);
  throw Error(path + ": unknown model format (expected .tflite, .onnx, a TensorFlow.js model.json or a face-api weights manifest)");
}

Graph load_zoo_model(const std::string& id) { return load_model(zoo::require(id).string()); }

}  // namespace facekit::nn
