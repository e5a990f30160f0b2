// The one place that maps recognizer names to models.
#include <utility>

#include "embed/graph_recognizer.h"
#include "facekit/error.h"

namespace facekit {

namespace {

struct ZooRecognizer {
  const char* name;
  const char* model;        // zoo id
  const char* output;       // the graph value holding the embedding
  bool l2_normalized;       // the graph normalises its output itself
};

// Outputs and normalisation read from the graphs (tools/oracle/README.md,
// models/manifest.json notes): faceres' descriptor is an internal node, and
// only human's mobilefacenet ends in an L2 normalisation.
constexpr ZooRecognizer kRecognizers[] = {
    {"mobilefacenet", "mobilefacenet-tflite", "embeddings", false},
    {"faceapi", "faceapi-recognition", "descriptor", false},
    {"faceres", "human-faceres", "global_pooling/Mean", false},
    {"mobileface", "human-mobileface", "batchnorm0/add_1", false},
    {"human-mobilefacenet", "human-mobilefacenet", "embeddings", true},
};

}  // namespace

std::vector<std::string> recognizer_names() {
  std::vector<std::string> names;
  for (const auto& r : kRecognizers) names.emplace_back(r.name);
  return names;
}

std::unique_ptr<Recognizer> make_recognizer(const std::string& name, const RecognizerOptions& options) {
  if (name.ends_with(".onnx")) return make_carded_onnx_recognizer(name, options);
  for (const auto& r : kRecognizers)
    if (name == r.name) return make_zoo_recognizer(r.name, r.model, r.output, r.l2_normalized, options);
  std::string list;
  for (const auto& n : recognizer_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error("recognizer '" + name + "': unknown (available: " + list + ", or an .onnx file holding its card)");
}

}  // namespace facekit
