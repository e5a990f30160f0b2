#include "train/export.h"

#include "facekit/error.h"
#include "train/onnx_builder.h"

namespace facekit::train {

RecognizerCard training_card(const EmbeddingNet& net, const std::string& name) {
  RecognizerCard card;
  card.name = name;
  card.input_size = {net.options().input_size, net.options().input_size};
  card.mean = {127.5f};
  card.std = {128.f};
  card.color = ColorOrder::kRGB;
  card.layout = InputLayout::kNCHW;
  card.output = "embedding";
  card.metric = "cosine";
  return card;
}

void export_recognizer(const EmbeddingNet& net, const RecognizerCard& card, const std::string& path) {
  const BackboneOptions& o = net.options();
  RecognizerCard written = card;
  written.input_size = {o.input_size, o.input_size};
  written.layout = InputLayout::kNCHW;
  written.output = "embedding";
  OnnxBuilder onnx;
  const std::string input = onnx.add_input("images", o.in_channels, o.input_size);
  const std::string embedding = onnx.add_node("Identity", {net.export_onnx(onnx, input)}, written.output);
  check(embedding == written.output, path, "the network already has a value named '" + written.output + "'");
  onnx.add_output(embedding, {-1, o.embedding_dim});
  onnx.set_metadata(kRecognizerCardKey, card_json(written, o.embedding_dim).dump());
  onnx.save(path);
}

}  // namespace facekit::train
