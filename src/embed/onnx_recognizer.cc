// Recognizers over a user's ONNX model, described by a RecognizerCard.
#include <filesystem>

#include "embed/graph_recognizer.h"
#include "facekit/nn/model.h"

namespace facekit {

std::unique_ptr<Recognizer> make_onnx_recognizer(const std::string& path, RecognizerCard card,
                                                 const RecognizerOptions& options) {
  if (card.name.empty()) card.name = std::filesystem::path(path).stem().string();
  if (card.model.empty()) card.model = path;
  return make_graph_recognizer(nn::load_onnx(path), std::move(card), options);
}

}  // namespace facekit
