#include "analyze_command.h"

#include <algorithm>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/text.h"
#include "output.h"
#include "recognition_options.h"

namespace facekit::cli {

namespace {

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

}  // namespace

CLI::App* add_analyze_command(CLI::App& app, AnalyzeCommandOptions& o) {
  auto* cmd = app.add_subcommand("analyze", "age, gender, emotion, race and liveness of each face");
  cmd->add_option("images", o.inputs, "image files and folders (their image files, sorted)")->required();
  cmd->add_option("--actions", o.request.actions, "comma-separated: age, gender, emotion, race, spoof")
      ->capture_default_str();
  cmd->add_option("--detector", o.request.detector, "the face detector (see `facekit detect --help`)")
      ->capture_default_str();
  cmd->add_option("--executor", o.request.executor, "fast | reference")->capture_default_str();
  add_threads_option(cmd, o.engine);
  add_no_detect_flag(cmd, o.request.no_detect);
  auto* json_flag = cmd->add_flag("--json")->description("JSON Lines, one object per image (the default)");
  cmd->add_flag("--text", o.text, "a human summary instead of JSON")->excludes(json_flag);
  cmd->add_option("--draw", o.draw, "with one image: write it with the results drawn (PNG, JPEG, ...)");
  return cmd;
}

int run_analyze(const AnalyzeCommandOptions& o) {
  Engine engine(o.engine);
  engine.prepare(o.request);
  int status = 0;
  const std::vector<std::string> images = images_of(o.inputs, status);
  check(o.draw.empty() || images.size() <= 1, "--draw",
        "writes one image but " + std::to_string(images.size()) + " were given");
  const int images_status = for_each_image(images, [&](const NamedImage& image) {
    const AnalyzeResult r = engine.analyze(image, o.request);
    if (o.text) {
      std::printf("%s: %dx%d, %zu face%s (%s)\n", printable(r.image).c_str(), r.width, r.height, r.faces.size(),
                  r.faces.size() == 1 ? "" : "s", o.request.no_detect ? "whole image" : r.detector.c_str());
      for (size_t i = 0; i < r.faces.size(); ++i) std::printf("  %zu. %s\n", i + 1, summary(r.analyses[i]).c_str());
      std::fflush(stdout);
    } else {
      print_json(to_json(r));
    }
    if (!o.draw.empty()) write_image(o.draw, drawn(image.rgb, r.faces, r.analyses));
  });
  return std::max(status, images_status);
}

}  // namespace facekit::cli
