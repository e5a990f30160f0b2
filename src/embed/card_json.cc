#include "facekit/embed.h"

#include "facekit/error.h"

namespace facekit {

namespace {

// A JSON [width, height] of positive integers.
cv::Size json_size(const nlohmann::json& v, const std::string& what) {
  check(v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer(), what,
        "size must be [width, height]");
  const cv::Size size(v[0].get<int>(), v[1].get<int>());
  check(size.width > 0 && size.height > 0, what, "size must be positive");
  return size;
}

// One of two spellings, as an enum.
template <typename Enum>
Enum json_choice(const nlohmann::json& v, const char* a, Enum ea, const char* b, Enum eb, const std::string& what) {
  const auto s = v.get<std::string>();
  check(s == a || s == b, what, "'" + s + "' is neither " + a + " nor " + b);
  return s == a ? ea : eb;
}

const char* alignment_kind_name(AlignKind kind) {
  switch (kind) {
    case AlignKind::kFaceapi: return "faceapi";
    case AlignKind::kExpo: return "expo";
    case AlignKind::kHuman: return "human";
    case AlignKind::kSimilarity: break;
  }
  return "similarity";
}

// An alignment kind by name: "similarity", "faceapi", "expo" or "human".
AlignKind alignment_kind(const nlohmann::json& v, const std::string& what) {
  const auto s = v.get<std::string>();
  for (AlignKind kind : {AlignKind::kSimilarity, AlignKind::kFaceapi, AlignKind::kExpo, AlignKind::kHuman})
    if (s == alignment_kind_name(kind)) return kind;
  throw Error(what + ": '" + s + "' is none of similarity, faceapi, expo, human");
}

}  // namespace

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
      {"flip", card.flip},
      {"alignment",
       {{"name", card.alignment.name},
        {"size", {card.alignment.size.width, card.alignment.size.height}},
        {"kind", alignment_kind_name(card.alignment.kind)},
        {"points", points}}},
  };
}

RecognizerCard card_from_json(const nlohmann::json& json, const std::string& source) {
  const std::string what = source + ": recognizer card";
  check(json.is_object(), what, "not a JSON object");
  RecognizerCard card;
  try {
    card.name = json.value("name", card.name);
    card.model = json.value("model", card.model);
    if (json.contains("input")) {
      const nlohmann::json& input = json.at("input");
      if (input.contains("size")) card.input_size = json_size(input.at("size"), what + " input");
      card.mean = input.value("mean", card.mean);
      card.std = input.value("std", card.std);
      if (input.contains("color"))
        card.color = json_choice(input.at("color"), "RGB", ColorOrder::kRGB, "BGR", ColorOrder::kBGR, what + " color");
      if (input.contains("layout"))
        card.layout =
            json_choice(input.at("layout"), "NHWC", InputLayout::kNHWC, "NCHW", InputLayout::kNCHW, what + " layout");
    }
    card.output = json.value("output", card.output);
    card.l2_normalized = json.value("l2_normalized", card.l2_normalized);
    card.metric = json.value("metric", card.metric);
    card.thresholds = json.value("thresholds", card.thresholds);
    card.flip = json.value("flip", card.flip);
    const nlohmann::json alignment = json.value("alignment", nlohmann::json::object());
    const nlohmann::json points = alignment.value("points", nlohmann::json::array());
    const AlignKind kind =
        alignment.contains("kind") ? alignment_kind(alignment.at("kind"), what + " alignment kind") : AlignKind::kSimilarity;
    if (kind != AlignKind::kSimilarity) {  // placed without points
      card.alignment.name = alignment.value("name", std::string(alignment_kind_name(kind)));
      card.alignment.size = json_size(alignment.at("size"), what + " alignment");
      card.alignment.kind = kind;
    } else if (!points.empty()) {  // an empty template: the recognizer's default
      card.alignment.name = alignment.value("name", std::string());
      card.alignment.size = json_size(alignment.at("size"), what + " alignment");
      for (const auto& p : points) {
        check(p.is_array() && p.size() == 2, what, "alignment points must be [x, y] pairs");
        card.alignment.points.emplace_back(p[0].get<float>(), p[1].get<float>());
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + ": malformed (" + e.what() + ")");
  }
  return card;
}

}  // namespace facekit
