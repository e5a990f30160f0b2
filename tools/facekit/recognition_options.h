// What the recognition commands (represent, verify, enroll, find, cluster,
// eval, calibrate) share: their flags, and for eval and calibrate the models
// they name.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

using RecognitionOptions = RecognitionRequest;

// Adds --model, --metric (when `with_metric`), --detector, --landmarker,
// --no-detect, --flip to `cmd`.
void add_recognition_options(CLI::App* cmd, RecognitionRequest& o, bool with_metric);

// Adds --no-detect (and its deprecated spelling --whole-image, hidden) to `cmd`.
void add_no_detect_flag(CLI::App* cmd, bool& no_detect);

// Adds --threads to `cmd`.
void add_threads_option(CLI::App* cmd, EngineOptions& o);

// The models the options name, loaded (eval and calibrate). Throws Error for
// an unknown name (listing the known ones) or a model that is not installed.
struct RecognitionModels {
  std::unique_ptr<Detector> detector;      // null with --no-detect
  std::unique_ptr<Landmarker> landmarker;
  std::unique_ptr<Recognizer> recognizer;
  Metric metric = Metric::kCosine;
  std::string detector_name;               // "none" with --no-detect
};
RecognitionModels load_recognition_models(const RecognitionOptions& o, int threads);

// The faces of one image file with their embeddings (the largest only when
// `largest_only`). Throws Error naming the file when it cannot be read.
std::vector<FaceEmbedding> embed_image(const std::string& path, RecognitionModels& models, bool largest_only);

}  // namespace facekit::cli
