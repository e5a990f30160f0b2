// What the recognition commands (represent, verify, enroll, find, cluster,
// eval, calibrate) share: their flags.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

using RecognitionOptions = RecognitionRequest;

// Adds --model, --metric (when `with_metric`), --detector, --landmarker,
// --no-detect, --if-no-face (its default: o.if_no_face as set by the verb),
// --alignment and --flip to `cmd`.
void add_recognition_options(CLI::App* cmd, RecognitionRequest& o, bool with_metric);

// Adds --face (largest or center; RecognitionRequest::face) to a verb that
// takes one face per image.
void add_face_option(CLI::App* cmd, RecognitionRequest& o);

// Adds --no-detect (and its deprecated spelling --whole-image, hidden) to `cmd`.
void add_no_detect_flag(CLI::App* cmd, bool& no_detect);

// Adds --threshold (described by `threshold_help`) and --far (the card's
// threshold for a target false accept rate, threshold_for_far in match.h),
// which exclude each other.
void add_threshold_options(CLI::App* cmd, std::optional<double>& threshold, std::optional<double>& far,
                           const std::string& threshold_help);

// Adds --threads to `cmd`.
void add_threads_option(CLI::App* cmd, EngineOptions& o);

}  // namespace facekit::cli
