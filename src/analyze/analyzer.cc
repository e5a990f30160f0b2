// Analyzer: loads the heads the actions need, crops each face once per crop
// style, runs every head over all faces at once and combines their views.
#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "analyze/combine.h"
#include "analyze/crop.h"
#include "analyze/registry.h"
#include "facekit/analyze.h"
#include "facekit/error.h"

namespace facekit {

namespace {

constexpr std::array<std::pair<Action, const char*>, 5> kActionNames = {
    {{Action::kAge, "age"}, {Action::kGender, "gender"}, {Action::kEmotion, "emotion"},
     {Action::kRace, "race"}, {Action::kSpoof, "spoof"}}};

// Whether every pixel has R = G = B.
bool is_grey(const cv::Mat& rgb) {
  cv::Mat channels[3];
  cv::split(rgb, channels);
  return cv::countNonZero(channels[0] != channels[1]) == 0 && cv::countNonZero(channels[1] != channels[2]) == 0;
}

// Why `face` cannot be analysed, or "" when it can.
std::string refusal(const cv::Mat& rgb, const Face& face, float min_face) {
  const cv::Rect2f& b = face.box;
  if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.width) || !std::isfinite(b.height))
    return "the face box is not finite";
  const float side = std::min(b.width, b.height);
  if (side < min_face) {
    char why[96];
    std::snprintf(why, sizeof why, "face too small to analyse: %.1f px < %.0f px", side, min_face);
    return why;
  }
  if (analyze::crop_face(rgb, b, analyze::CropStyle::kFaceApi).empty()) return "the face lies outside the image";
  return "";
}

}  // namespace

const char* action_name(Action action) {
  for (const auto& [a, name] : kActionNames)
    if (a == action) return name;
  return "?";
}

std::vector<Action> parse_actions(const std::string& list) {
  std::vector<Action> actions;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, end - start);
    const auto* found = std::find_if(kActionNames.begin(), kActionNames.end(),
                                     [&](const auto& entry) { return name == entry.second; });
    check(found != kActionNames.end(), "actions '" + list + "'",
          "unknown action '" + name + "' (available: age, gender, emotion, race, spoof)");
    if (std::find(actions.begin(), actions.end(), found->first) == actions.end()) actions.push_back(found->first);
    start = end + 1;
  }
  return actions;
}

struct Analyzer::Impl {
  AnalyzeOptions options;
  std::vector<std::unique_ptr<analyze::Head>> heads;
};

Analyzer::Analyzer(AnalyzeOptions options) : impl_(std::make_unique<Impl>()) {
  check(!options.actions.empty(), "analyze", "no action requested");
  impl_->options = std::move(options);
  for (const auto& entry : analyze::head_registry()) {
    const bool serves = std::any_of(entry.actions.begin(), entry.actions.end(), [&](Action a) {
      return std::find(impl_->options.actions.begin(), impl_->options.actions.end(), a) != impl_->options.actions.end();
    });
    if (serves) impl_->heads.push_back(entry.make(impl_->options));
  }
}

Analyzer::~Analyzer() = default;

std::vector<std::string> Analyzer::heads() const {
  std::vector<std::string> ids;
  for (const auto& head : impl_->heads) ids.push_back(head->id());
  return ids;
}

std::vector<FaceAnalysis> Analyzer::analyze(const cv::Mat& rgb, const std::vector<Face>& faces) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "analyze", "expected a non-empty 8-bit RGB image (CV_8UC3)");
  std::vector<FaceAnalysis> results(faces.size());
  std::vector<size_t> analysed;  // indices of the faces not refused
  for (size_t i = 0; i < faces.size(); ++i) {
    results[i].refused = refusal(rgb, faces[i], impl_->options.min_face);
    if (results[i].refused.empty()) analysed.push_back(i);
  }
  if (analysed.empty()) return results;
  // One crop per face and style, shared by the heads of that style.
  std::vector<cv::Mat> crops[2];
  for (size_t i : analysed) {
    // face-api's chain with landmarks cuts at their box; without, at the detection's.
    const cv::Rect2f aligned = analyze::faceapi_aligned_box(faces[i].landmarks68, faces[i].box);
    cv::Mat faceapi_crop = aligned.empty() ? cv::Mat() : analyze::crop_face(rgb, aligned, analyze::CropStyle::kFaceApi);
    if (faceapi_crop.empty()) faceapi_crop = analyze::crop_face(rgb, faces[i].box, analyze::CropStyle::kFaceApi);
    crops[0].push_back(faceapi_crop);
    crops[1].push_back(analyze::crop_face(rgb, faces[i].box, analyze::CropStyle::kHuman));
  }
  for (const auto& head : impl_->heads) {
    std::vector<Face> analysed_faces;
    if (head->crop_style() == analyze::CropStyle::kOwn)
      for (size_t i : analysed) analysed_faces.push_back(faces[i]);
    const analyze::HeadOutputs outputs =
        head->crop_style() == analyze::CropStyle::kOwn
            ? head->outputs(head->own_crops(rgb, analysed_faces))
            : head->outputs(crops[head->crop_style() == analyze::CropStyle::kFaceApi ? 0 : 1]);
    for (size_t k = 0; k < analysed.size(); ++k) results[analysed[k]].heads.push_back(head->interpret(outputs[k]));
  }
  const bool grey = is_grey(rgb);
  for (size_t i : analysed) {
    const analyze::FaceConditions conditions{faces[i].quality.overall, analyze::fraction_inside(rgb, faces[i].box),
                                             grey};
    analyze::combine(impl_->options.actions, conditions, results[i]);
  }
  return results;
}

}  // namespace facekit
