// Fusion cards: JSON, the compiled-in models/fusion.json, the user's files
// (include/facekit/fusion.h).
#include <cmath>
#include <fstream>
#include <set>
#include <unistd.h>

#include "facekit/error.h"
#include "facekit/fusion.h"
#include "facekit/zoo.h"

namespace facekit {

extern const char* const kFusionCardsJson;  // models/fusion.json, compiled in (fusion_data.cc.in)

namespace fs = std::filesystem;

namespace {

std::string joined_names(const FusionCard& card) {
  std::string name;
  for (const auto& m : card.members) name += (name.empty() ? "" : std::string(1, kFusionSeparator)) + m.model;
  return name;
}

std::set<std::string> member_set(const std::vector<std::string>& names) { return {names.begin(), names.end()}; }

double finite_number(const nlohmann::json& j, const char* key, const std::string& context) {
  check(j.contains(key) && j.at(key).is_number(), context, std::string("needs a number \"") + key + "\"");
  const double v = j.at(key).get<double>();
  check(std::isfinite(v), context, std::string("\"") + key + "\" is not finite");
  return v;
}

}  // namespace

nlohmann::json fusion_card_to_json(const FusionCard& card) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : card.members)
    members.push_back({{"model", m.model}, {"metric", metric_name(m.metric)}, {"flip", m.flip}, {"weight", m.weight}});
  return {{"name", card.name},   {"members", members},       {"bias", card.bias}, {"threshold", card.threshold},
          {"pairs", card.pairs}, {"dataset", card.dataset}, {"recipe", card.recipe}};
}

FusionCard fusion_card_from_json(const nlohmann::json& j, const std::string& context) {
  check(j.is_object(), context, "a fusion card must be a JSON object");
  FusionCard card;
  try {
    check(j.contains("members") && j.at("members").is_array(), context, "needs a \"members\" array");
    std::vector<std::string> names;
    for (const auto& m : j.at("members")) {
      check(m.is_object() && m.contains("model") && m.at("model").is_string(), context,
            "each member needs a \"model\" name");
      FusionMember member;
      member.model = m.at("model").get<std::string>();
      member.metric = parse_metric(m.value("metric", std::string("cosine")));
      member.flip = m.value("flip", false);
      member.weight = finite_number(m, "weight", context + ": member " + member.model);
      names.push_back(member.model);
      card.members.push_back(member);
    }
    std::string name;
    for (const auto& n : names) name += (name.empty() ? "" : std::string(1, kFusionSeparator)) + n;
    fusion_members(name);  // the members' own checks
    card.name = name;
    card.bias = finite_number(j, "bias", context);
    card.threshold = j.contains("threshold") ? finite_number(j, "threshold", context) : 0.5;
    check(card.threshold > 0 && card.threshold < 1, context, "\"threshold\" must lie in (0, 1), it is a probability");
    card.pairs = j.value("pairs", int64_t{0});
    card.dataset = j.value("dataset", std::string());
    card.recipe = j.value("recipe", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw Error(context + ": malformed fusion card (" + e.what() + ")");
  } catch (const Error& e) {
    throw Error(context + ": " + e.what());
  }
  return card;
}

fs::path fusion_card_path(const std::string& name) {
  check(!name.empty() && name.find('/') == std::string::npos && name.find("..") == std::string::npos, "fusion card",
        "'" + name + "' cannot be a file name");
  return zoo::models_dir() / "fusion" / (name + ".json");
}

FusionCard fusion_card(const std::string& model) {
  const std::set<std::string> wanted = member_set(fusion_members(model));
  // The user's files first: any order of the same members.
  std::error_code ec;
  const fs::path folder = zoo::models_dir() / "fusion";
  if (fs::is_directory(folder, ec)) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& e) {
        throw Error(entry.path().string() + ": not JSON (" + e.what() + ")");
      }
      FusionCard card = fusion_card_from_json(j, entry.path().string());
      std::vector<std::string> names;
      for (const auto& m : card.members) names.push_back(m.model);
      if (member_set(names) != wanted) continue;
      card.source = entry.path().string();
      return card;
    }
  }
  const nlohmann::json shipped = nlohmann::json::parse(kFusionCardsJson);
  for (const auto& j : shipped.at("fusions")) {
    FusionCard card = fusion_card_from_json(j, "models/fusion.json");
    std::vector<std::string> names;
    for (const auto& m : card.members) names.push_back(m.model);
    if (member_set(names) != wanted) continue;
    card.source = "models/fusion.json";
    return card;
  }
  throw Error("fused model '" + model + "': no fusion card fuses these members (fit one with `facekit calibrate --model " +
              model + " --pairs pairsDevTrain.txt --root DIR`)");
}

void save_fusion_card(const FusionCard& card) {
  const fs::path path = fusion_card_path(card.name.empty() ? joined_names(card) : card.name);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  check(!ec, path.parent_path().string(), "cannot be created (" + ec.message() + ")");
  const fs::path temp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp);
    out << fusion_card_to_json(card).dump(2) << "\n";
    out.flush();
    if (!out.good()) {
      fs::remove(temp, ec);
      throw Error(path.string() + ": cannot be written");
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": cannot be written (rename failed)");
  }
}

}  // namespace facekit
