// Matching: how far apart two embeddings are, whether that means "same
// person", and how sure that decision is.
//
// Metrics are chosen by name (metric_names() lists them):
//   cosine        1 − cos(a, b), in [0, 2]
//   euclidean     ‖a − b‖₂ on the raw vectors
//   euclidean_l2  ‖a/‖a‖ − b/‖b‖‖₂, in [0, 2] (= sqrt(2 · cosine))
// Smaller is more alike for all three: a pair is "the same person" when its
// distance is at or below the threshold.
//
// Thresholds belong to a (model, metric) pair. They come, in order of
// precedence, from the user (--threshold), from a user calibration written by
// `facekit calibrate` ($FACEKIT_MODELS/calibration/<model>.json), or from the
// model card in models/manifest.json. Both files hold the same object under
// "thresholds" (see Calibration).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace facekit {

enum class Metric { kCosine, kEuclidean, kEuclideanL2 };

// "cosine", "euclidean", "euclidean_l2".
const std::vector<std::string>& metric_names();
// Throws Error naming the unknown metric and listing the known ones.
Metric parse_metric(const std::string& name);
std::string metric_name(Metric metric);

// `v` scaled to unit Euclidean length. Throws Error when `v` is empty, holds a
// NaN or infinity, or has zero length (no direction to keep).
std::vector<float> l2_normalize(std::span<const float> v);

// The distance between two embeddings under `metric` (accumulated in double).
// Throws Error naming the reason when the vectors are empty, differ in
// dimension, hold a NaN or infinity, or (cosine, euclidean_l2) have zero
// length.
double distance(std::span<const float> a, std::span<const float> b, Metric metric);

// The largest distance `metric` can give: 2 for cosine (1 − cos) and
// euclidean_l2 (unit vectors), infinity for euclidean.
double max_distance(Metric metric);
// Throws Error naming `context`, the value and the metric's range unless
// `threshold` is finite and within [0, max_distance(metric)]: a threshold
// outside it would make every pair the same person, or none.
void check_threshold(double threshold, Metric metric, const std::string& context);

// p(same | d) = 1 / (1 + exp(a·d + b)): the calibrated probability that a
// pair at distance d is the same person. a > 0 for a sensible fit (further
// apart, less likely the same).
struct Logistic {
  double a = 0;
  double b = 0;
  double probability_same(double distance) const;
};

// Fits Logistic to labelled distances by maximum likelihood (Newton's method,
// i.e. iteratively reweighted least squares, with step halving). The labels
// are smoothed as Platt proposed — target (N₊+1)/(N₊+2) for same pairs and
// 1/(N₋+2) for different ones — so that perfectly separated data still has a
// finite fit. Throws Error when the sizes differ, a distance is not finite,
// or either class is absent.
Logistic fit_logistic(std::span<const double> distances, const std::vector<bool>& same);

// What is known about one (model, metric): the decision threshold, the
// thresholds reaching given false accept rates, and the distance →
// probability mapping. JSON form (a card's or a calibration file's
// "thresholds": {"<metric>": {...}}):
//   {"threshold": 0.41, "far": {"1e-3": 0.30, "1e-4": 0.25},
//    "logistic": {"a": 12.3, "b": -5.1}, "pairs": 6000, "dataset": "lfw"}
// Every key is optional; "dataset" is free text saying where it came from.
struct Calibration {
  std::string model;
  Metric metric = Metric::kCosine;
  std::optional<double> threshold;       // best-accuracy threshold
  std::map<std::string, double> far_thresholds;  // FAR as written ("1e-3") → threshold
  std::optional<Logistic> logistic;
  int64_t pairs = 0;                     // labelled pairs it was fitted on, 0 if unknown
  std::string dataset;
  // Where it was found: "user:<file>", "card", or "none" (nothing known).
  std::string source = "none";
};

// The threshold of a calibration's FAR table for a target false accept rate
// (--far): the entry with the largest FAR at or below `target_far`, so that
// the impostor distances the table was read from accept at most that share.
// `far` is the entry's key as written ("1e-3"). Throws Error when target_far
// is not in (0, 1); naming the model and metric when the calibration has no
// FAR table (pass --threshold, or `facekit calibrate` on pairs with enough
// impostors), when a key is not a rate in (0, 1), or when every entry's FAR
// is above the target (naming the smallest).
struct FarChoice {
  std::string far;
  double threshold = 0;
};
FarChoice threshold_for_far(const Calibration& calibration, double target_far);

nlohmann::json calibration_to_json(const Calibration& c);  // the per-metric object above
// Reads the per-metric object; `context` names its origin in errors. Throws
// Error when a value has the wrong type or is not finite, or a threshold
// fails check_threshold.
Calibration calibration_from_json(const nlohmann::json& j, const std::string& model, Metric metric,
                                  const std::string& context);

// $FACEKIT_MODELS/calibration/<model>.json (zoo::models_dir()). Throws Error
// for a model id that cannot be a file name (empty, '/', '..', control chars).
std::filesystem::path calibration_path(const std::string& model);

// The calibration of (model, metric): the user file if it has this metric,
// else the model card of the manifest (models unknown to the manifest, such
// as a user's ONNX recognizer, have no card), else one with source "none".
// Throws Error naming the file when the user file is unreadable or malformed.
Calibration load_calibration(const std::string& model, Metric metric);

// Writes `c` into calibration_path(c.model), keeping the file's other
// metrics. Atomic: written to a temporary file in the same directory, flushed,
// then renamed over the old one, so a crash leaves the old file or the new,
// never a torn one. Throws Error (and leaves the old file untouched) when the
// existing file is malformed or the directory is not writable.
void save_calibration(const Calibration& c);

// Where a decision's threshold came from.
enum class ThresholdSource { kUser, kCalibration };

// A 1:1 decision.
struct Verification {
  bool verified = false;       // distance <= threshold
  double distance = 0;
  double threshold = 0;
  ThresholdSource threshold_source = ThresholdSource::kCalibration;
  // P(same | distance) from the calibration's logistic fit; absent when the
  // (model, metric) has no fit — facekit then reports no probability rather
  // than inventing one.
  std::optional<double> probability_same;
  // The calibrated probability that `verified` is right: probability_same
  // when verified, 1 − probability_same otherwise; absent with it.
  std::optional<double> confidence;
};

// Compares two embeddings. The threshold is `user_threshold` when given, else
// calibration.threshold. Throws Error (as distance() does) for bad vectors,
// and naming the model and metric when no threshold is known ("run `facekit
// calibrate` or pass --threshold"), when the user threshold fails check_threshold,
// or when `calibration` (unless its source is "none") is for another metric.
Verification verify(std::span<const float> a, std::span<const float> b, Metric metric,
                    std::optional<double> user_threshold, const Calibration& calibration);

}  // namespace facekit
