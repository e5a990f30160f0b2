// The one place that maps detector names to implementations.
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
      {"blazeface-short", [](const DetectOptions& o) { return make_blazeface_detector(o, false); }},
      {"blazeface-full", [](const DetectOptions& o) { return make_blazeface_detector(o, true); }},
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

std::unique_ptr<Detector> make_detector(const std::string& name, const DetectOptions& options) {
  for (const auto& [known, factory] : registry())
    if (known == name) return factory(options);
  std::string list;
  for (const auto& n : detector_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error("detector '" + name + "': unknown (available: " + list + ")");
}

}  // namespace facekit
