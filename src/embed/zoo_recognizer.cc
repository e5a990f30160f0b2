// Zoo recognizers: the graph and the card of a model in models/manifest.json.
#include "embed/graph_recognizer.h"

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "facekit/zoo.h"

namespace facekit {

namespace {

// A card's mean or std: one number or one per channel.
std::vector<float> channel_values(const nlohmann::json& v, float fallback) {
  if (v.is_null()) return {fallback};
  if (v.is_array()) return v.get<std::vector<float>>();
  return {v.get<float>()};
}

// The decision threshold per metric from the card's "thresholds":
// {"<metric>": {"threshold": t, ...}} (metrics without one are left out).
std::map<std::string, double> card_thresholds(const nlohmann::json& card) {
  std::map<std::string, double> out;
  if (!card.contains("thresholds")) return out;
  for (const auto& [metric, entry] : card["thresholds"].items())
    if (entry.is_object() && entry.contains("threshold")) out[metric] = entry["threshold"].get<double>();
  return out;
}

RecognizerCard zoo_card(const std::string& name, const std::string& model_id, const std::string& output,
                        bool l2_normalized) {
  const zoo::ModelInfo& info = zoo::model(model_id);
  const nlohmann::json& card = info.card;
  const std::string what = "recognizer '" + name + "': card of " + model_id;
  try {
    const nlohmann::json& input = card.at("input");
    const auto shape = input.at("shape").get<std::vector<int64_t>>();
    const bool nchw = input.value("layout", "NHWC") == "NCHW";
    check(shape.size() == 4, what, "input shape is not 4-D");
    RecognizerCard rc;
    rc.name = name;
    rc.model = model_id;
    rc.input_size = nchw ? cv::Size(static_cast<int>(shape[3]), static_cast<int>(shape[2]))
                         : cv::Size(static_cast<int>(shape[2]), static_cast<int>(shape[1]));
    rc.mean = channel_values(input.value("mean", nlohmann::json()), 0.f);
    rc.std = channel_values(input.value("std", nlohmann::json()), 1.f);
    rc.color = input.value("color", "RGB") == "BGR" ? ColorOrder::kBGR : ColorOrder::kRGB;
    rc.layout = nchw ? InputLayout::kNCHW : InputLayout::kNHWC;
    rc.output = output;
    rc.l2_normalized = l2_normalized;
    rc.metric = card.value("metric", "cosine");
    rc.thresholds = card_thresholds(card);
    rc.flip = card.value("flip", false);
    // The crop the card's thresholds belong to (absent: the ArcFace default).
    if (card.contains("alignment")) {
      check(rc.input_size.width == rc.input_size.height, what, "a named alignment needs a square input");
      rc.alignment = named_template(card.at("alignment").get<std::string>(), rc.input_size.width);
    }
    return rc;
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + ": malformed (" + e.what() + ")");
  }
}

}  // namespace

std::unique_ptr<Recognizer> make_zoo_recognizer(const std::string& name, const std::string& model_id,
                                                const std::string& output, bool l2_normalized,
                                                const RecognizerOptions& options) {
  RecognizerCard card = zoo_card(name, model_id, output, l2_normalized);
  return make_graph_recognizer(nn::load_zoo_model(model_id), std::move(card), options);
}

}  // namespace facekit
