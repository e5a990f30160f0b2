// Recognizers over a user's ONNX model, described by a RecognizerCard given
// by the caller or carried in the model's metadata.
#include <filesystem>

#include "embed/graph_recognizer.h"
#include "facekit/error.h"
#include "facekit/nn/model.h"

namespace facekit {

namespace {

std::unique_ptr<Recognizer> graph_recognizer(nn::Graph graph, const std::string& path, RecognizerCard card,
                                             const RecognizerOptions& options) {
  if (card.name.empty()) card.name = std::filesystem::path(path).stem().string();
  if (card.model.empty()) card.model = path;
  return make_graph_recognizer(std::move(graph), std::move(card), options);
}

}  // namespace

std::unique_ptr<Recognizer> make_onnx_recognizer(const std::string& path, RecognizerCard card,
                                                 const RecognizerOptions& options) {
  return graph_recognizer(nn::load_onnx(path), path, std::move(card), options);
}

std::unique_ptr<Recognizer> make_carded_onnx_recognizer(const std::string& path, const RecognizerOptions& options) {
  std::map<std::string, std::string> metadata;
  nn::Graph graph = nn::load_onnx(path, metadata);
  const auto entry = metadata.find(kRecognizerCardKey);
  check(entry != metadata.end(), path,
        std::string("no recognizer card in the model's metadata (key '") + kRecognizerCardKey +
            "', written by facekit-train's export): without it the input size, normalisation and layout "
            "are unknown; pass them in a card to make_onnx_recognizer");
  const nlohmann::json json = nlohmann::json::parse(entry->second, nullptr, /*allow_exceptions=*/false);
  check(!json.is_discarded(), path, std::string("metadata '") + kRecognizerCardKey + "' is not valid JSON");
  RecognizerCard card = card_from_json(json, path);
  // The id its calibrations are stored under (calibration_path): a file name.
  if (card.model.empty()) card.model = std::filesystem::path(path).stem().string();
  return graph_recognizer(std::move(graph), path, std::move(card), options);
}

}  // namespace facekit
