#include "recognition_options.h"

#include "facekit/error.h"

namespace facekit::cli {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

}  // namespace

void add_no_detect_flag(CLI::App* cmd, bool& no_detect) {
  cmd->add_flag("--no-detect", no_detect, "the whole image is the face (for already cropped faces)");
  cmd->add_flag("--whole-image", no_detect, "the old name of --no-detect")->group("");  // hidden
}

void add_threshold_options(CLI::App* cmd, std::optional<double>& threshold, std::optional<double>& far,
                           const std::string& threshold_help) {
  auto* threshold_option = cmd->add_option("--threshold", threshold, threshold_help);
  cmd->add_option("--far", far,
                  "the calibrated threshold for this false accept rate, e.g. 1e-3 (from the card's FAR table)")
      ->excludes(threshold_option);
}

void add_face_option(CLI::App* cmd, RecognitionRequest& o) {
  cmd->add_option("--face", o.face,
                  "the face taken of each image: center (nearest the image centre: a portrait's subject) or "
                  "largest")
      ->check(CLI::IsMember({"largest", "center"}))
      ->capture_default_str();
}

void add_threads_option(CLI::App* cmd, EngineOptions& o) {
  cmd->add_option("--threads", o.threads, "threads of the neural executor (0: all cores)")->capture_default_str();
}

void add_recognition_options(CLI::App* cmd, RecognitionRequest& o, bool with_metric) {
  cmd->add_option("--model", o.model, "recognizer: " + joined(recognizer_names()) + ", or a .onnx file exported by facekit-train")->capture_default_str();
  if (with_metric)
    cmd->add_option("--metric", o.metric, joined(metric_names()) + " (default: the model's own)");
  cmd->add_option("--detector", o.detector, "face detector: " + joined(detector_names()))->capture_default_str();
  cmd->add_option("--landmarker", o.landmarker, "68-point landmarks for detectors without 5 points")
      ->capture_default_str();
  add_no_detect_flag(cmd, o.no_detect);
  cmd->add_option("--if-no-face", o.if_no_face,
                  "when no face is found, also on a padded copy: refuse, or whole-image (the image is the face, "
                  "flagged face_found: false)")
      ->check(CLI::IsMember({"refuse", "whole-image"}))
      ->capture_default_str();
  cmd->add_option("--alignment", o.alignment, "the crop: arcface, dlib, faceapi, expo or human (default: the model card's)");
  cmd->add_option_function<std::string>(
         "--flip", [&o](const std::string& value) { o.flip = value == "on"; },
         "flip test-time augmentation, on or off: the embedding is the mean of the crop's and its mirror's "
         "(default: the model card's)")
      ->check(CLI::IsMember({"on", "off"}));
}

}  // namespace facekit::cli
