#include "facekit/deepface.h"

#include <cmath>

#include "facekit/detect.h"

namespace facekit {

namespace {

int pixel(const Json& value) { return static_cast<int>(std::lround(value.get<double>())); }

Json point(const Json& xy) { return Json::array({pixel(xy[0]), pixel(xy[1])}); }

}  // namespace

// facekit's 5 landmarks name the eyes as they appear in the image (kLeftEye
// is the one with the smaller x in a frontal face); deepface names them
// after the person, whose left eye is on the image's right.
Json deepface_facial_area(const Json& face) {
  const Json& box = face["box"];
  Json area = {{"x", pixel(box["x"])}, {"y", pixel(box["y"])}, {"w", pixel(box["width"])}, {"h", pixel(box["height"])}};
  const bool has_eyes = face.contains("landmarks") && face["landmarks"].size() == 5;
  area["left_eye"] = has_eyes ? point(face["landmarks"][kRightEye]) : Json(nullptr);
  area["right_eye"] = has_eyes ? point(face["landmarks"][kLeftEye]) : Json(nullptr);
  return area;
}

namespace {

// {name: probability} as {name: percent}, and the likeliest name.
std::pair<Json, std::string> percentages(const Json& probabilities) {
  Json percent = Json::object();
  std::string dominant;
  double best = -1;
  for (const auto& [name, p] : probabilities.items()) {
    percent[name] = 100 * p.get<double>();
    if (p.get<double>() > best) std::tie(best, dominant) = std::pair(p.get<double>(), name);
  }
  return {percent, dominant};
}

// Copies `key` (and its "_bytes" twin, json.h) from `from` when present.
void copy_name(Json& to, const Json& from, const std::string& key, const std::string& as) {
  if (from.contains(key)) to[as] = from[key];
  if (from.contains(key + "_bytes")) to[as + "_bytes"] = from[key + "_bytes"];
}

}  // namespace

void apply_detector_backend(const std::string& backend, std::string& detector, bool& no_detect) {
  no_detect = backend == "skip";
  if (no_detect) return;
  detector = backend == "opencv" ? "haar" : backend;
}

Json deepface_verify(const Json& v, double seconds) {
  const Json& a = v["faces"][0];
  const Json& b = v["faces"][1];
  Json j = {{"verified", v["verified"]}, {"distance", v["distance"]}, {"threshold", v["threshold"]}};
  copy_name(j, v, "model", "model");
  j["detector_backend"] = v["detector"];
  j["similarity_metric"] = v["metric"];
  j["facial_areas"] = {{"img1", deepface_facial_area(a["face"])}, {"img2", deepface_facial_area(b["face"])}};
  j["time"] = seconds;
  j["confidence"] = v["confidence"];
  j["probability_same"] = v["probability_same"];
  copy_name(j, v, "threshold_source", "threshold_source");
  j["face_found"] = {{"img1", a["face_found"]}, {"img2", b["face_found"]}};
  return j;
}

Json deepface_represent(const Json& r) {
  Json list = Json::array();
  for (const Json& face : r["faces"])
    list.push_back({{"embedding", face["embedding"]},
                    {"facial_area", deepface_facial_area(face)},
                    {"face_confidence", face["score"]},
                    {"face_found", face["face_found"]}});
  return list;
}

Json deepface_analyze(const Json& r) {
  Json list = Json::array();
  for (const Json& face : r["faces"]) {
    Json j = {{"region", deepface_facial_area(face)}, {"face_confidence", face["score"]}};
    if (face.contains("refused")) {
      j["refused"] = face["refused"];
      list.push_back(std::move(j));
      continue;
    }
    if (face.contains("age")) {
      j["age"] = face["age"]["years"];
      j["age_uncertainty"] = face["age"]["uncertainty"];
    }
    if (face.contains("gender")) {
      const bool male = face["gender"]["value"] == "male";
      const double p = face["gender"]["probability"].get<double>();
      const double p_man = male ? p : 1 - p;
      j["dominant_gender"] = male ? "Man" : "Woman";
      j["gender"] = {{"Woman", 100 * (1 - p_man)}, {"Man", 100 * p_man}};
    }
    for (const char* attribute : {"emotion", "race"}) {
      if (!face.contains(attribute)) continue;
      auto [percent, dominant] = percentages(face[attribute]);
      j[std::string("dominant_") + attribute] = dominant;
      j[attribute] = std::move(percent);
    }
    if (face.contains("real_probability")) j["real_probability"] = face["real_probability"];
    j["confidence"] = face["confidence"];
    list.push_back(std::move(j));
  }
  return list;
}

Json deepface_detect(const Json& r) {
  Json list = Json::array();
  for (const Json& face : r["faces"])
    list.push_back({{"facial_area", deepface_facial_area(face)},
                    {"confidence", face["score"]},
                    {"landmarks", face["landmarks"]},
                    {"quality", face["quality"]}});
  return list;
}

Json deepface_find(const Json& r) {
  const double threshold = r["threshold"].get<double>();
  Json tables = Json::array();
  for (const Json& face : r["faces"]) {
    const Json& box = face["face"]["box"];
    Json rows = Json::array();
    for (const Json& c : face["candidates"]) {
      if (c["distance"].is_null() || c["distance"].get<double>() > threshold) continue;
      Json row;
      copy_name(row, c, "identity", "identity");
      row["distance"] = c["distance"];
      row["threshold"] = threshold;
      row["source_x"] = pixel(box["x"]);
      row["source_y"] = pixel(box["y"]);
      row["source_w"] = pixel(box["width"]);
      row["source_h"] = pixel(box["height"]);
      rows.push_back(std::move(row));
    }
    tables.push_back(std::move(rows));
  }
  return tables;
}

}  // namespace facekit
