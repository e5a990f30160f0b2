// Best-accuracy threshold and k-fold cross-validated accuracy.
#include <algorithm>
#include <cmath>
#include <limits>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

double accuracy_at(const std::vector<ScoredPair>& pairs, double threshold) {
  check(!pairs.empty(), "accuracy_at", "no pairs");
  double correct = 0;
  for (const auto& p : pairs) correct += !p.missed() && (p.distance <= threshold) == p.same;
  return correct / static_cast<double>(pairs.size());
}

OperatingPoint operating_point(const std::vector<ScoredPair>& pairs, double threshold, const std::string& context) {
  check_scored(pairs, context);
  double genuine = 0, impostors = 0, accepted_genuine = 0, accepted_impostors = 0;
  for (const auto& p : pairs) {
    (p.same ? genuine : impostors) += 1;
    if (p.distance <= threshold) (p.same ? accepted_genuine : accepted_impostors) += 1;
  }
  return {threshold, accepted_impostors / impostors, accepted_genuine / genuine, accuracy_at(pairs, threshold)};
}

AccuracyAt best_accuracy(const std::vector<ScoredPair>& pairs) {
  check(!pairs.empty(), "best_accuracy", "no pairs");
  // Missed pairs are wrong at every threshold: they count in `n` only.
  std::vector<ScoredPair> sorted = scored_only(pairs);
  check(!sorted.empty(), "best_accuracy", "every pair was missed");
  std::sort(sorted.begin(), sorted.end(), [](const ScoredPair& x, const ScoredPair& y) { return x.distance < y.distance; });
  const double n = static_cast<double>(pairs.size());
  double impostors = 0;
  for (const auto& p : sorted) impostors += !p.same;
  // Rejecting everything is right for every scored impostor.
  double correct = impostors, best_correct = impostors;
  AccuracyAt best{impostors / n, std::nextafter(sorted.front().distance, -std::numeric_limits<double>::infinity())};
  for (size_t i = 0; i < sorted.size(); ++i) {
    correct += sorted[i].same ? 1 : -1;  // accepting it: a genuine pair turns right, an impostor wrong
    if (i + 1 < sorted.size() && sorted[i + 1].distance == sorted[i].distance) continue;
    if (correct > best_correct) {
      best_correct = correct;
      const double next = i + 1 < sorted.size() ? sorted[i + 1].distance : sorted[i].distance;
      best = {correct / n, sorted[i].distance + (next - sorted[i].distance) / 2};
    }
  }
  return best;
}

CrossValidation cross_validate(const std::vector<ScoredPair>& pairs, int folds) {
  const std::string context = "cross_validate";
  check(folds >= 2, context, std::to_string(folds) + " folds: needs at least 2");
  check(pairs.size() >= static_cast<size_t>(folds), context,
        std::to_string(pairs.size()) + " pairs cannot fill " + std::to_string(folds) + " folds");
  const bool own_folds = std::all_of(pairs.begin(), pairs.end(), [&](const ScoredPair& p) { return p.fold >= 0 && p.fold < folds; });
  std::vector<std::vector<ScoredPair>> by_fold(static_cast<size_t>(folds));
  size_t dealt[2] = {0, 0};  // genuine and impostor pairs dealt so far
  for (const auto& p : pairs)
    by_fold[own_folds ? static_cast<size_t>(p.fold) : dealt[p.same]++ % static_cast<size_t>(folds)].push_back(p);
  CrossValidation cv;
  cv.folds = folds;
  for (int f = 0; f < folds; ++f) {
    check(!by_fold[f].empty(), context, "fold " + std::to_string(f) + " is empty");
    std::vector<ScoredPair> training;
    for (int g = 0; g < folds; ++g)
      if (g != f) training.insert(training.end(), by_fold[g].begin(), by_fold[g].end());
    const double threshold = best_accuracy(training).threshold;
    cv.fold_threshold.push_back(threshold);
    cv.fold_accuracy.push_back(accuracy_at(by_fold[f], threshold));
  }
  for (double a : cv.fold_accuracy) cv.mean_accuracy += a / folds;
  for (double a : cv.fold_accuracy) cv.std_accuracy += (a - cv.mean_accuracy) * (a - cv.mean_accuracy) / folds;
  cv.std_accuracy = std::sqrt(cv.std_accuracy);
  return cv;
}

}  // namespace facekit::eval
