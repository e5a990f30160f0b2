#include "facekit/embed.h"

namespace facekit {

nlohmann::json card_json(const RecognizerCard& card, int dimension) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : card.alignment.points) points.push_back({p.x, p.y});
  return {
      {"name", card.name},
      {"model", card.model},
      {"input",
       {{"size", {card.input_size.width, card.input_size.height}},
        {"mean", card.mean},
        {"std", card.std},
        {"color", card.color == ColorOrder::kBGR ? "BGR" : "RGB"},
        {"layout", card.layout == InputLayout::kNCHW ? "NCHW" : "NHWC"}}},
      {"output", card.output},
      {"dimension", dimension},
      {"l2_normalized", card.l2_normalized},
      {"metric", card.metric},
      {"thresholds", card.thresholds},
      {"alignment",
       {{"name", card.alignment.name},
        {"size", {card.alignment.size.width, card.alignment.size.height}},
        {"points", points}}},
  };
}

}  // namespace facekit
