// What the recognition commands (represent, verify, eval, calibrate) share:
// the model, metric, detector and landmarker options, the models they name,
// and the JSON of a face.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "facekit/match.h"
#include "facekit/pipeline.h"

namespace facekit::cli {

// The recognizer the commands use unless told otherwise (docs/recognition.md
// says why: the most accurate in facekit's own measurements).
inline constexpr const char* kDefaultRecognizer = "mobilefacenet";

struct RecognitionOptions {
  std::string model = kDefaultRecognizer;  // recognizer name
  std::string metric;                      // empty: the recognizer card's own
  std::string detector = kDefaultDetector;
  std::string landmarker = "faceapi-68";   // for detectors that give no 5 points
  bool no_detect = false;                  // the whole image is the face
  // When no face is found, also on a padded copy: "refuse" (the image gives
  // no face) or "whole-image" (the whole image is the face, flagged
  // face_found: false). Each verb sets its own default before
  // add_recognition_options (docs/recognition.md says which and why).
  std::string if_no_face = "refuse";
  bool flip = false;                       // flip test-time augmentation
  int threads = 0;                         // 0 = all cores
};

// Adds --model, --metric (when `with_metric`), --detector, --landmarker,
// --no-detect, --if-no-face, --flip and --threads to `cmd`.
void add_recognition_options(CLI::App* cmd, RecognitionOptions& o, bool with_metric);

// The models the options name, loaded. Throws Error for an unknown name
// (listing the known ones) or a model that is not installed.
struct RecognitionModels {
  std::unique_ptr<Detector> detector;      // null with --no-detect
  std::unique_ptr<Landmarker> landmarker;
  std::unique_ptr<Recognizer> recognizer;
  Metric metric = Metric::kCosine;
  std::string detector_name;               // "none" with --no-detect
  bool whole_image_fallback = false;       // --if-no-face whole-image
};

// What to tell a user whose image gave no face with --if-no-face refuse.
inline constexpr const char* kNoFaceAdvice =
    "no face found, also with a padded border (crop the image wider around the face, or pass --if-no-face whole-image "
    "to use the whole image as the face, flagged face_found: false)";
RecognitionModels load_recognition_models(const RecognitionOptions& o);

// The calibration of the recognizer's (model, metric): load_calibration's,
// else the threshold in the recognizer's own card (source "card": a model
// exported by facekit-train carries its thresholds in its file).
Calibration recognizer_calibration(const Recognizer& recognizer, Metric metric);

// The faces of one image file with their embeddings (the largest only when
// `largest_only`); empty when it has none (with --if-no-face refuse). Throws
// Error naming the file when it cannot be read.
std::vector<FaceEmbedding> embed_image(const std::string& path, RecognitionModels& models, bool largest_only);

// {box: {x, y, width, height}, score}, rounded to 1/100 px and 1/10000.
nlohmann::ordered_json face_summary_json(const Face& face);

}  // namespace facekit::cli
