#include "analyze_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "image_inputs.h"

namespace facekit::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // keys in the documented order

double rounded(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }
double px(float value) { return rounded(value, 100); }
double unit(float value) { return rounded(value, 10000); }

json head_json(const HeadAnalysis& h) {
  json j = {{"head", h.head}};
  if (h.age) j["age"] = {{"years", unit(h.age->years)}, {"uncertainty", unit(h.age->uncertainty)}};
  if (h.male_probability) j["male_probability"] = unit(*h.male_probability);
  if (h.emotion) {
    json e;
    for (size_t k = 0; k < kEmotionNames.size(); ++k) e[kEmotionNames[k]] = unit((*h.emotion)[k]);
    j["emotion"] = e;
  }
  if (!h.race.empty()) {
    json r;
    for (const auto& [name, p] : h.race) r[name] = unit(p);
    j["race"] = r;
  }
  if (h.real_probability) j["real_probability"] = unit(*h.real_probability);
  if (h.liveness) j["liveness"] = unit(*h.liveness);
  if (h.spoof_score) j["spoof_score"] = unit(*h.spoof_score);
  return j;
}

json face_json(const Face& face, const FaceAnalysis& a) {
  json j = {{"box", {{"x", px(face.box.x)}, {"y", px(face.box.y)}, {"width", px(face.box.width)},
                     {"height", px(face.box.height)}}},
            {"score", unit(face.score)},
            {"quality", unit(face.quality.overall)}};
  if (!a.refused.empty()) {
    j["refused"] = a.refused;
    return j;
  }
  if (a.age) j["age"] = {{"years", unit(a.age->years)}, {"uncertainty", unit(a.age->uncertainty)}};
  if (a.gender) j["gender"] = {{"value", *a.gender}, {"probability", unit(a.gender_probability)}};
  if (a.emotion) {
    json e;
    for (size_t k = 0; k < kEmotionNames.size(); ++k) e[kEmotionNames[k]] = unit((*a.emotion)[k]);
    j["emotion"] = e;
  }
  if (!a.race.empty()) {
    json r;
    for (const auto& [name, p] : a.race) r[name] = unit(p);
    j["race"] = r;
  }
  if (a.real_probability) j["real_probability"] = unit(*a.real_probability);
  json agreement = json::object();
  for (const auto& [attribute, value] : a.agreement) agreement[attribute] = unit(value);
  j["agreement"] = agreement;
  j["confidence"] = unit(a.confidence);
  j["grayscale"] = a.grayscale;
  json heads = json::array();
  for (const HeadAnalysis& h : a.heads) heads.push_back(head_json(h));
  j["heads"] = heads;
  return j;
}

// The likeliest emotion's name.
const char* top_emotion(const EmotionDistribution& e) {
  return kEmotionNames[std::max_element(e.begin(), e.end()) - e.begin()];
}

// One short line per face: "female 0.93, 31±4 y, happy 0.80, real 0.71 (conf 0.62)".
std::string summary(const FaceAnalysis& a) {
  if (!a.refused.empty()) return "refused: " + a.refused;
  std::string s;
  char part[96];
  if (a.gender) {
    std::snprintf(part, sizeof part, "%s %.2f, ", a.gender->c_str(), a.gender_probability);
    s += part;
  }
  if (a.age) {
    std::snprintf(part, sizeof part, "%.0f±%.0f y, ", a.age->years, a.age->uncertainty);
    s += part;
  }
  if (a.emotion) {
    const auto& e = *a.emotion;
    std::snprintf(part, sizeof part, "%s %.2f, ", top_emotion(e), *std::max_element(e.begin(), e.end()));
    s += part;
  }
  if (!a.race.empty()) {
    const auto best = std::max_element(a.race.begin(), a.race.end(),
                                       [](const auto& x, const auto& y) { return x.second < y.second; });
    std::snprintf(part, sizeof part, "%s %.2f, ", best->first.c_str(), best->second);
    s += part;
  }
  if (a.real_probability) {
    std::snprintf(part, sizeof part, "real %.2f, ", *a.real_probability);
    s += part;
  }
  std::snprintf(part, sizeof part, "confidence %.2f", a.confidence);
  return s + part;
}

// A short ASCII label for drawing (Hershey fonts have no "±"): "F 31y happy c0.62".
std::string label(const FaceAnalysis& a) {
  if (!a.refused.empty()) return "refused";
  std::string s;
  char part[64];
  if (a.gender) s += (*a.gender == "male" ? "M " : "F ");
  if (a.age) {
    std::snprintf(part, sizeof part, "%.0fy ", a.age->years);
    s += part;
  }
  if (a.emotion) s += std::string(top_emotion(*a.emotion)) + " ";
  std::snprintf(part, sizeof part, "c%.2f", a.confidence);
  return s + part;
}

cv::Mat drawn(const cv::Mat& rgb, const std::vector<Face>& faces, const std::vector<FaceAnalysis>& analyses) {
  cv::Mat out = rgb.clone();
  const int thickness = std::max(1, std::min(rgb.cols, rgb.rows) / 400);
  for (size_t i = 0; i < faces.size(); ++i) {
    const bool refused = !analyses[i].refused.empty();
    const cv::Scalar colour = refused ? cv::Scalar(255, 64, 64) : cv::Scalar(0, 255, 0);  // RGB
    cv::rectangle(out, cv::Rect(faces[i].box), colour, thickness);
    // Below the box: labels above would run into the faces of a row of people.
    const cv::Point corner(static_cast<int>(faces[i].box.x),
                           static_cast<int>(faces[i].box.y + faces[i].box.height) + 16 * thickness);
    cv::putText(out, label(analyses[i]), corner, cv::FONT_HERSHEY_SIMPLEX, 0.5 * thickness, colour, thickness);
  }
  return out;
}

// The whole image as one face (for faces already cut out), its quality assessed.
Face whole_face(const cv::Mat& rgb) {
  Face face;
  face.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
  face.score = 1;
  assess_quality(rgb, face);
  return face;
}

}  // namespace

CLI::App* add_analyze_command(CLI::App& app, AnalyzeCommandOptions& o) {
  auto* cmd = app.add_subcommand("analyze", "age, gender, emotion, race and liveness of each face");
  cmd->add_option("images", o.inputs, "image files and folders (their image files, sorted)")->required();
  cmd->add_option("--actions", o.actions, "comma-separated: age, gender, emotion, race, spoof")->capture_default_str();
  cmd->add_option("--detector", o.detector, "the face detector (see `facekit detect --help`)")->capture_default_str();
  cmd->add_option("--executor", o.detect.executor, "fast | reference")->capture_default_str();
  cmd->add_option("--threads", o.detect.threads, "threads of the neural executor (0: all cores)")
      ->capture_default_str();
  cmd->add_flag("--whole-image", o.whole_image, "each image is one face, already cut out (no detection)");
  auto* json_flag = cmd->add_flag("--json")->description("JSON Lines, one object per image (the default)");
  cmd->add_flag("--text", o.text, "a human summary instead of JSON")->excludes(json_flag);
  cmd->add_option("--draw", o.draw, "with one image: write it with the results drawn (PNG, JPEG, ...)");
  return cmd;
}

int run_analyze(const AnalyzeCommandOptions& options) {
  check(options.detect.executor == "fast" || options.detect.executor == "reference", "--executor",
        "'" + options.detect.executor + "' is neither fast nor reference");
  check(options.detect.threads >= 0, "--threads", "must not be negative");
  AnalyzeOptions analyze_options;
  analyze_options.actions = parse_actions(options.actions);
  analyze_options.executor = options.detect.executor;
  analyze_options.threads = options.detect.threads;
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  bool failed = false;
  const std::vector<std::string> images = expand_inputs(options.inputs, failed);
  check(options.draw.empty() || images.size() <= 1, "--draw",
        "writes one image but " + std::to_string(images.size()) + " were given");
  const std::unique_ptr<Detector> detector =
      options.whole_image ? nullptr : make_detector(options.detector, options.detect);
  Analyzer analyzer(analyze_options);
  for (const std::string& path : images) {
    try {
      const cv::Mat rgb = read_image(path);
      const std::vector<Face> faces = options.whole_image ? std::vector<Face>{whole_face(rgb)} : detect_with_retry(*detector, rgb);
      const std::vector<FaceAnalysis> analyses = analyzer.analyze(rgb, faces);
      if (options.text) {
        std::printf("%s: %dx%d, %zu face%s (%s)\n", path.c_str(), rgb.cols, rgb.rows, faces.size(),
                    faces.size() == 1 ? "" : "s", options.whole_image ? "whole image" : detector->name().c_str());
        for (size_t i = 0; i < faces.size(); ++i) std::printf("  %zu. %s\n", i + 1, summary(analyses[i]).c_str());
        std::fflush(stdout);
      } else {
        json faces_json = json::array();
        for (size_t i = 0; i < faces.size(); ++i) faces_json.push_back(face_json(faces[i], analyses[i]));
        const json j = {{"image", path},
                        {"width", rgb.cols},
                        {"height", rgb.rows},
                        {"detector", options.whole_image ? "none (--whole-image)" : detector->name()},
                        {"heads", analyzer.heads()},
                        {"faces", faces_json}};
        std::cout << j.dump() << std::endl;
      }
      if (!options.draw.empty()) write_image(options.draw, drawn(rgb, faces, analyses));
    } catch (const Error& e) {
      std::cerr << "facekit: " << e.what() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace facekit::cli
