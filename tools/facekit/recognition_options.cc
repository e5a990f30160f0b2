#include "recognition_options.h"

#include <cmath>

#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit::cli {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

double rounded(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }

}  // namespace

void add_recognition_options(CLI::App* cmd, RecognitionOptions& o, bool with_metric) {
  cmd->add_option("--model", o.model, "recognizer: " + joined(recognizer_names()) + ", or a .onnx file exported by facekit-train")->capture_default_str();
  if (with_metric)
    cmd->add_option("--metric", o.metric, joined(metric_names()) + " (default: the model's own)");
  cmd->add_option("--detector", o.detector, "face detector: " + joined(detector_names()))->capture_default_str();
  cmd->add_option("--landmarker", o.landmarker, "68-point landmarks for detectors without 5 points")
      ->capture_default_str();
  cmd->add_flag("--no-detect", o.no_detect, "the whole image is the face (for already cropped faces)");
  cmd->add_option("--if-no-face", o.if_no_face,
                  "when no face is found, also on a padded copy: refuse, or whole-image (the image is the face, "
                  "flagged face_found: false)")
      ->check(CLI::IsMember({"refuse", "whole-image"}))
      ->capture_default_str();
  cmd->add_flag("--flip", o.flip, "flip test-time augmentation: mean of the crop's and its mirror's embeddings");
  cmd->add_option("--threads", o.threads, "threads of the neural executor (0: all cores)")->capture_default_str();
}

RecognitionModels load_recognition_models(const RecognitionOptions& o) {
  check(o.threads >= 0, "--threads", "must not be negative");
  RecognitionModels m;
  // Names first, so a typo is reported before any model is loaded.
  m.recognizer = make_recognizer(o.model, {.threads = o.threads, .flip = o.flip});
  m.metric = parse_metric(o.metric.empty() ? m.recognizer->card().metric : o.metric);
  const DetectOptions detect{.threads = o.threads};
  if (!o.no_detect) m.detector = make_detector(o.detector, detect);
  m.detector_name = o.no_detect ? "none" : m.detector->name();
  m.landmarker = make_landmarker(o.landmarker, detect);
  check(o.if_no_face == "refuse" || o.if_no_face == "whole-image", "--if-no-face",
        "'" + o.if_no_face + "' is neither refuse nor whole-image");
  m.whole_image_fallback = o.if_no_face == "whole-image";
  return m;
}

Calibration recognizer_calibration(const Recognizer& recognizer, Metric metric) {
  Calibration c = load_calibration(recognizer.card().model, metric);
  const auto& own = recognizer.card().thresholds;
  if (c.source == "none" && own.count(metric_name(metric))) {
    c.threshold = own.at(metric_name(metric));
    c.source = "card";
  }
  return c;
}

std::vector<FaceEmbedding> embed_image(const std::string& path, RecognitionModels& m, bool largest_only) {
  const cv::Mat rgb = read_image(path);
  try {
    EmbedFacesOptions options;
    options.detect = m.detector != nullptr;
    options.largest_only = largest_only;
    options.whole_image_fallback = m.whole_image_fallback;
    return embed_faces(rgb, m.detector.get(), *m.recognizer, m.landmarker.get(), options);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

nlohmann::ordered_json face_summary_json(const Face& face) {
  return {{"box",
           {{"x", rounded(face.box.x, 100)}, {"y", rounded(face.box.y, 100)},
            {"width", rounded(face.box.width, 100)}, {"height", rounded(face.box.height, 100)}}},
          {"score", rounded(face.score, 10000)}};
}

}  // namespace facekit::cli
