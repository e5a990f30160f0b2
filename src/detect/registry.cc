// The one place that maps detector names to implementations.
#include <cmath>
#include <functional>
#include <utility>

#include "detect/detectors.h"
#include "facekit/error.h"

namespace facekit {

namespace {
using Factory = std::function<std::unique_ptr<Detector>(const DetectOptions&)>;

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> r = {
      {"mtcnn", make_mtcnn_detector},
      {"mtcnn-expo", make_mtcnn_expo_detector},
      {"blazeface-short", [](const DetectOptions& o) { return make_blazeface_detector(o, false); }},
      {"blazeface-full", [](const DetectOptions& o) { return make_blazeface_detector(o, true); }},
      {"human-blazeface", make_human_blazeface_detector},
      {"ssd", make_ssd_detector},
      {"tiny", make_tiny_detector},
      {"haar", make_haar_detector},
  };
  return r;
}
}  // namespace

std::vector<std::string> detector_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

void check_detect_options(const DetectOptions& o) {
  const std::string context = "detector options";
  auto unit_or_default = [&](float value, const std::string& what) {
    check(value == -1 || (value >= 0 && value <= 1), context,
          what + " " + std::to_string(value) + " is not in [0, 1] (nor -1, the detector's default)");
  };
  check(std::isfinite(o.min_face) && o.min_face > 0, context,
        "smallest face " + std::to_string(o.min_face) + " must be a positive number of pixels");
  unit_or_default(o.score_threshold, "score threshold");
  unit_or_default(o.nms_iou, "overlap (IoU) for non-maximum suppression");
  check(o.max_faces >= 0, context, "max_faces " + std::to_string(o.max_faces) + " must not be negative");
  check(o.threads >= 0, context, "threads " + std::to_string(o.threads) + " must not be negative");
  check(o.executor == "fast" || o.executor == "reference", context,
        "executor '" + o.executor + "' is neither fast nor reference");
}

std::unique_ptr<Detector> make_detector(const std::string& name, const DetectOptions& options) {
  check_detect_options(options);
  for (const auto& [known, factory] : registry())
    if (known == name) return factory(options);
  std::string list;
  for (const auto& n : detector_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error("detector '" + name + "': unknown (available: " + list + ")");
}

}  // namespace facekit
