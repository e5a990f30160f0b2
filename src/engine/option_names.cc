#include "facekit/option_names.h"

#include <regex>
#include <vector>

namespace facekit {

namespace {

struct Rename {
  std::regex cli;
  const char* python;  // nullptr: the front-end has no such option
  const char* http;
};

// Longer phrases first: "--if-no-face whole-image" before "--if-no-face".
const std::vector<Rename>& renames() {
  static const std::vector<Rename> table = [] {
    const auto flag = [](const std::string& name) { return std::regex("(^|[^-\\w])" + name + "(?![-\\w])"); };
    return std::vector<Rename>{
        {flag("--if-no-face whole-image"), "$1enforce_detection=False", "$1enforce_detection=false"},
        {flag("--if-no-face refuse"), "$1enforce_detection=True", "$1enforce_detection=true"},
        {flag("--if-no-face"), "$1enforce_detection", "$1enforce_detection"},
        {flag("pass --threshold"), "$1pass threshold=", "$1pass threshold"},
        {flag("--threshold"), "$1threshold", "$1threshold"},
        {flag("--model"), "$1model_name", "$1model_name"},
        {flag("--detector"), "$1detector_backend", "$1detector_backend"},
        {flag("--metric"), "$1distance_metric", "$1distance_metric"},
        {flag("--max-faces"), "$1max_faces", "$1max_faces"},
        {flag("--min-face"), "$1min_face", nullptr},
        {flag("--actions"), "$1actions", "$1actions"},
        {flag("--landmarker"), "$1landmarker", nullptr},
        {flag("--alignment"), "$1alignment", nullptr},
        {flag("--flip"), "$1flip", nullptr},
        {flag("--aggregation"), "$1aggregation", nullptr},
        {flag("--threads"), "$1threads", nullptr},
        {flag("-k"), "$1k", "$1k"},
        {flag("--far"), nullptr, "$1far"},
        {flag("--detect-every"), nullptr, "$1detect_every"},
        {flag("--max-age"), nullptr, "$1max_age"},
        {flag("--min-iou"), nullptr, "$1min_iou"},
        {flag("--decide-confidence"), nullptr, "$1decide_confidence"},
        {flag("face_found: false"), "$1face_found: False", nullptr},
    };
  }();
  return table;
}

}  // namespace

std::string in_terms_of(const std::string& message, FrontEnd front_end) {
  std::string out;
  size_t start = 0;
  for (bool quoted = false; start <= message.size(); quoted = !quoted) {
    const size_t tick = message.find('`', start);
    const size_t end = tick == std::string::npos ? message.size() : tick;
    std::string part = message.substr(start, end - start);
    if (!quoted) {
      for (const Rename& r : renames()) {
        const char* name = front_end == FrontEnd::kPython ? r.python : r.http;
        if (name) part = std::regex_replace(part, r.cli, name);
      }
    }
    out += part;
    if (tick == std::string::npos) break;
    out += '`';
    start = tick + 1;
  }
  return out;
}

}  // namespace facekit
