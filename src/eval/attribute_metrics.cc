// The attribute metrics: calibration, classification and age error.
#include <algorithm>
#include <cmath>
#include <limits>

#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kAgeTolerance = 5;  // years, the "within ±5" of the report

}  // namespace

Reliability reliability(const std::vector<ConfidentAnswer>& answers, int bins) {
  check(bins >= 1, "reliability", "needs at least one bin, got " + std::to_string(bins));
  Reliability r;
  r.count = static_cast<int64_t>(answers.size());
  r.bins.resize(bins);
  for (int b = 0; b < bins; ++b) {
    r.bins[b].lower = static_cast<double>(b) / bins;
    r.bins[b].upper = static_cast<double>(b + 1) / bins;
  }
  for (const ConfidentAnswer& a : answers) {
    check(a.confidence >= 0 && a.confidence <= 1, "reliability",
          "a confidence of " + std::to_string(a.confidence) + " is outside [0, 1]");
    ReliabilityBin& bin = r.bins[std::min(bins - 1, static_cast<int>(a.confidence * bins))];
    ++bin.count;
    bin.confidence += a.confidence;
    bin.accuracy += a.correct ? 1 : 0;
  }
  for (ReliabilityBin& bin : r.bins) {
    if (bin.count == 0) continue;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
    r.ece += static_cast<double>(bin.count) / r.count * std::fabs(bin.accuracy - bin.confidence);
  }
  return r;
}

ClassScores class_scores(const std::vector<std::string>& classes, const std::vector<ClassSample>& samples) {
  check(!samples.empty(), "class scores", "no faces to score");
  const size_t n = classes.size();
  ClassScores s;
  s.classes = classes;
  s.total = static_cast<int64_t>(samples.size());
  s.confusion.assign(n, std::vector<int64_t>(n + 1, 0));
  std::vector<ConfidentAnswer> answers;
  int64_t correct = 0;
  for (const ClassSample& sample : samples) {
    check(sample.truth >= 0 && static_cast<size_t>(sample.truth) < n, "class scores",
          "class index " + std::to_string(sample.truth) + " is outside the " + std::to_string(n) + " classes");
    if (!sample.probabilities) {
      ++s.confusion[sample.truth][n];
      continue;
    }
    const auto& p = *sample.probabilities;
    check(p.size() == n, "class scores",
          std::to_string(p.size()) + " probabilities for " + std::to_string(n) + " classes");
    const size_t predicted = std::max_element(p.begin(), p.end()) - p.begin();
    ++s.found;
    ++s.confusion[sample.truth][predicted];
    const bool right = predicted == static_cast<size_t>(sample.truth);
    correct += right;
    answers.push_back({std::clamp(static_cast<double>(p[predicted]), 0.0, 1.0), right});
  }
  s.accuracy = static_cast<double>(correct) / s.total;
  double recall_sum = 0;
  int with_faces = 0;
  for (size_t t = 0; t < n; ++t) {
    int64_t faces = 0;
    for (int64_t c : s.confusion[t]) faces += c;
    s.recall.push_back(faces ? static_cast<double>(s.confusion[t][t]) / faces : kNaN);
    if (faces) {
      recall_sum += s.recall.back();
      ++with_faces;
    }
  }
  s.balanced_accuracy = recall_sum / with_faces;
  s.reliability = reliability(answers);
  return s;
}

AgeScores age_scores(const std::vector<AgeSample>& samples) {
  check(!samples.empty(), "age scores", "no faces to score");
  AgeScores s;
  s.total = static_cast<int64_t>(samples.size());
  double abs_sum = 0, signed_sum = 0;
  int64_t within = 0, covered = 0;
  for (const AgeSample& sample : samples) {
    if (!sample.years) continue;
    ++s.found;
    const double error = *sample.years - sample.truth;
    abs_sum += std::fabs(error);
    signed_sum += error;
    within += std::fabs(error) <= kAgeTolerance;
    if (sample.uncertainty > 0) {
      ++s.with_interval;
      covered += std::fabs(error) <= sample.uncertainty;
    }
  }
  s.mae = s.found ? abs_sum / s.found : kNaN;
  s.bias = s.found ? signed_sum / s.found : kNaN;
  s.within_5 = static_cast<double>(within) / s.total;
  s.interval_coverage = s.with_interval ? static_cast<double>(covered) / s.with_interval : kNaN;
  return s;
}

}  // namespace facekit::eval
