// The fitted combination of the heads (include/facekit/analysis_combination.h):
// its JSON form and how it pools the heads' views.
#include <algorithm>
#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "facekit/analysis_combination.h"
#include "facekit/error.h"

namespace facekit {

extern const char* const kAnalysisCombinationJson;  // models/analysis_combination.json, embedded by CMake

namespace {

using Json = nlohmann::ordered_json;

double weight_of(const Json& j, const std::string& where, const std::string& source) {
  check(j.is_number(), source, where + " is not a number");
  const double w = j.get<double>();
  check(std::isfinite(w) && w >= 0, source, where + " must be a finite weight ≥ 0");
  return w;
}

std::map<std::string, double> weights_of(const Json& j, const std::string& where, const std::string& source) {
  check(j.is_object(), source, where + ".weights is not an object");
  std::map<std::string, double> weights;
  for (const auto& [head, w] : j.items()) weights[head] = weight_of(w, where + ".weights." + head, source);
  return weights;
}

ClassPooling class_pooling(const Json& root, const std::string& name, const std::string& source) {
  check(root.contains(name) && root[name].is_object(), source, "has no object '" + name + "'");
  const Json& j = root[name];
  ClassPooling p;
  check(j.contains("classes") && j["classes"].is_array() && j["classes"].size() >= 2, source,
        name + ".classes must list two or more classes");
  for (const Json& c : j["classes"]) {
    check(c.is_string(), source, name + ".classes holds a non-string");
    p.classes.push_back(c.get<std::string>());
  }
  check(j.contains("weights"), source, name + " has no weights");
  p.weights = weights_of(j["weights"], name, source);
  check(j.contains("bias") && j["bias"].is_array() && j["bias"].size() == p.classes.size(), source,
        name + ".bias must give one number per class");
  for (const Json& b : j["bias"]) {
    check(b.is_number() && std::isfinite(b.get<double>()), source, name + ".bias holds a non-finite number");
    p.bias.push_back(b.get<double>());
  }
  return p;
}

AgePooling age_pooling(const Json& root, const std::string& source) {
  check(root.contains("age") && root["age"].is_object(), source, "has no object 'age'");
  const Json& j = root["age"];
  AgePooling p;
  check(j.contains("intercept") && j["intercept"].is_number() && std::isfinite(j["intercept"].get<double>()), source,
        "age.intercept must be a finite number");
  p.intercept = j["intercept"].get<double>();
  check(j.contains("weights"), source, "age has no weights");
  p.weights = weights_of(j["weights"], "age", source);
  check(j.contains("bands") && j["bands"].is_array() && !j["bands"].empty(), source, "age.bands must list one band or more");
  for (const Json& b : j["bands"]) {
    check(b.is_object() && b.contains("up_to") && b.contains("sigma"), source, "an age band lacks up_to or sigma");
    const AgeBand band{weight_of(b["up_to"], "age.bands[].up_to", source), weight_of(b["sigma"], "age.bands[].sigma", source)};
    check(p.bands.empty() || band.up_to > p.bands.back().up_to, source, "age.bands must rise in up_to");
    p.bands.push_back(band);
  }
  return p;
}

Json class_json(const ClassPooling& p) {
  Json weights = Json::object();
  for (const auto& [head, w] : p.weights) weights[head] = w;
  return {{"classes", p.classes}, {"weights", weights}, {"bias", p.bias}};
}

}  // namespace

AnalysisCombination parse_combination(const std::string& json_text, const std::string& source) {
  Json root;
  try {
    root = Json::parse(json_text);
  } catch (const Json::exception& e) {
    throw Error(source + ": not JSON (" + e.what() + ")");
  }
  check(root.is_object(), source, "is not a JSON object");
  AnalysisCombination c;
  c.age = age_pooling(root, source);
  c.gender = class_pooling(root, "gender", source);
  check(c.gender.classes == std::vector<std::string>{"male", "female"}, source, "gender.classes must be [male, female]");
  c.race = class_pooling(root, "race", source);
  c.emotion = class_pooling(root, "emotion", source);
  check(c.emotion.classes == std::vector<std::string>(kEmotionNames.begin(), kEmotionNames.end()), source,
        "emotion.classes must be angry, disgust, fear, happy, sad, surprise, neutral");
  c.recipe = root.value("recipe", "");
  c.fitted_on = root.value("fitted_on", "");
  return c;
}

std::string combination_json(const AnalysisCombination& c) {
  Json age_weights = Json::object();
  for (const auto& [head, w] : c.age.weights) age_weights[head] = w;
  Json bands = Json::array();
  for (const AgeBand& b : c.age.bands) bands.push_back({{"up_to", b.up_to}, {"sigma", b.sigma}});
  const Json j = {{"recipe", c.recipe},
                  {"fitted_on", c.fitted_on},
                  {"age", {{"intercept", c.age.intercept}, {"weights", age_weights}, {"bands", bands}}},
                  {"gender", class_json(c.gender)},
                  {"race", class_json(c.race)},
                  {"emotion", class_json(c.emotion)}};
  return j.dump(1) + "\n";
}

const AnalysisCombination& default_combination() {
  static const AnalysisCombination combination =
      parse_combination(kAnalysisCombinationJson, "models/analysis_combination.json");
  return combination;
}

std::vector<double> pool_classes(const ClassPooling& pooling, const std::map<std::string, std::vector<double>>& views) {
  std::vector<double> z = pooling.bias;
  bool voted = false;
  for (const auto& [head, p] : views) {
    const auto w = pooling.weights.find(head);
    if (w == pooling.weights.end() || w->second == 0 || p.size() != z.size()) continue;
    voted = true;
    for (size_t k = 0; k < z.size(); ++k) z[k] += w->second * std::log(std::max(p[k], double{kProbabilityFloor}));
  }
  if (!voted) return {};
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (double& v : z) sum += v = std::exp(v - top);
  for (double& v : z) v /= sum;
  return z;
}

std::optional<AgeEstimate> pool_age(const AgePooling& pooling, const std::map<std::string, double>& years) {
  double all = 0, present = 0, sum = 0;
  for (const auto& [head, w] : pooling.weights) {
    all += w;
    const auto y = years.find(head);
    if (y == years.end() || w == 0) continue;
    present += w;
    sum += w * y->second;
  }
  if (present == 0) return std::nullopt;
  const double estimate = std::max(0.0, pooling.intercept + sum * (all / present));
  const auto band = std::find_if(pooling.bands.begin(), pooling.bands.end(),
                                 [&](const AgeBand& b) { return estimate < b.up_to; });
  const double sigma = (band == pooling.bands.end() ? pooling.bands.back() : *band).sigma;
  return AgeEstimate{static_cast<float>(estimate), static_cast<float>(sigma)};
}

}  // namespace facekit
