// Outcomes of labelled faces from saved `facekit analyze --json` lines, the
// heads' views recombined (include/facekit/attribute_eval.h).
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "analyze/combine.h"
#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

using Json = nlohmann::json;

std::string key_of(const std::filesystem::path& image) {
  std::error_code ignored;
  return std::filesystem::weakly_canonical(image, ignored).lexically_normal().string();
}

float number(const Json& j, const char* field, const std::string& where) {
  check(j.contains(field) && j[field].is_number(), where, std::string("lacks the number '") + field + "'");
  return j[field].get<float>();
}

HeadAnalysis head_of(const Json& j, const std::string& where) {
  check(j.is_object() && j.contains("head") && j["head"].is_string(), where, "a head without its id");
  HeadAnalysis h;
  h.head = j["head"].get<std::string>();
  if (j.contains("age")) h.age = AgeEstimate{number(j["age"], "years", where), number(j["age"], "uncertainty", where)};
  if (j.contains("male_probability")) h.male_probability = number(j, "male_probability", where);
  if (j.contains("emotion")) {
    EmotionDistribution e{};
    for (size_t k = 0; k < kEmotionNames.size(); ++k) e[k] = number(j["emotion"], kEmotionNames[k], where);
    h.emotion = e;
  }
  if (j.contains("race")) {
    check(j["race"].is_object(), where, "race is not an object");
    for (const auto& [name, p] : j["race"].items()) {
      check(p.is_number(), where, "race." + name + " is not a number");
      h.race.emplace_back(name, p.get<float>());
    }
  }
  return h;
}

}  // namespace

std::vector<FaceOutcome> outcomes_from_analyses(const std::vector<LabelledFace>& faces,
                                                const std::filesystem::path& analyses,
                                                const std::vector<Action>& actions,
                                                const AnalysisCombination& combination) {
  std::ifstream in(analyses);
  check(in.good(), analyses.string(), "cannot be read");
  std::map<std::string, std::pair<std::vector<Face>, std::vector<FaceAnalysis>>> by_image;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = analyses.string() + ":" + std::to_string(line_number);
    Json j;
    try {
      j = Json::parse(line);
    } catch (const Json::exception& e) {
      throw Error(where + ": not a JSON line of facekit analyze --json (" + e.what() + ")");
    }
    check(j.is_object() && j.contains("image") && j["image"].is_string() && j.contains("faces") && j["faces"].is_array(),
          where, "not a line of facekit analyze --json (no image or faces)");
    auto& [found, analysed] = by_image[key_of(j["image"].get<std::string>())];
    found.clear();
    analysed.clear();
    for (const Json& f : j["faces"]) {
      check(f.is_object() && f.contains("box"), where, "a face without its box");
      Face face;
      face.box = cv::Rect2f(number(f["box"], "x", where), number(f["box"], "y", where), number(f["box"], "width", where),
                            number(f["box"], "height", where));
      FaceAnalysis a;
      if (f.contains("refused")) {
        check(f["refused"].is_string(), where, "refused is not a string");
        a.refused = f["refused"].get<std::string>();
      }
      if (f.contains("heads"))
        for (const Json& h : f["heads"]) a.heads.push_back(head_of(h, where));
      if (a.refused.empty()) analyze::combine(actions, {}, a, combination);
      found.push_back(face);
      analysed.push_back(std::move(a));
    }
  }
  std::vector<FaceOutcome> outcomes;
  outcomes.reserve(faces.size());
  for (const LabelledFace& face : faces) {
    const auto entry = by_image.find(key_of(face.image));
    FaceOutcome o;
    if (entry == by_image.end()) o.missed = "not in " + analyses.string();
    else o = outcome_of(entry->second.first, entry->second.second);
    if (!o.missed.empty()) o.missed = face.image.string() + ": " + o.missed;
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace facekit::eval
