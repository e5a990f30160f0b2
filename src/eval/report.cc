// The whole evaluation of a set of scored pairs, as a struct and as JSON.
#include <algorithm>
#include <cmath>
#include <utility>

#include "facekit/eval.h"

namespace facekit::eval {

namespace {

// The FAR targets of the report, with the keys they are written under.
const std::vector<std::pair<double, std::string>>& far_targets() {
  static const std::vector<std::pair<double, std::string>> targets = {{1e-2, "1e-2"}, {1e-3, "1e-3"}, {1e-4, "1e-4"}};
  return targets;
}

// JSON has no infinity: the thresholds of missed pairs' closing ROC point are null.
nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

Report evaluate(const std::vector<ScoredPair>& pairs, const std::string& context, int folds) {
  check_scored(pairs, context);
  Report r;
  for (const auto& p : pairs) {
    (p.same ? r.genuine : r.impostors) += 1;
    if (p.missed()) (p.same ? r.missed_genuine : r.missed_impostors) += 1;
  }
  r.roc = roc(pairs);
  r.auc = auc(pairs);
  r.eer = equal_error_rate(r.roc);
  for (const auto& [far, key] : far_targets()) r.tar_at_far.push_back(tar_at_far(r.roc, r.impostors, far));
  r.best = best_accuracy(pairs);
  r.cross_validation = cross_validate(pairs, folds);
  std::vector<double> distances;
  std::vector<bool> same;
  for (const auto& p : scored_only(pairs)) {
    distances.push_back(p.distance);
    same.push_back(p.same);
  }
  // A fit needs both classes among the scored pairs; without them it stays at its default.
  const bool both = std::find(same.begin(), same.end(), true) != same.end() && std::find(same.begin(), same.end(), false) != same.end();
  if (both) r.logistic = fit_logistic(distances, same);
  return r;
}

nlohmann::json report_to_json(const Report& r, bool with_roc) {
  nlohmann::json tar = nlohmann::json::object();
  for (size_t i = 0; i < r.tar_at_far.size() && i < far_targets().size(); ++i) {
    const auto& t = r.tar_at_far[i];
    const auto number_or_null = [&](double v) { return t.measurable ? finite_or_null(v) : nlohmann::json(nullptr); };
    tar[far_targets()[i].second] = {{"measurable", t.measurable},  {"tar", number_or_null(t.tar)},
                                    {"threshold", number_or_null(t.threshold)}, {"far", number_or_null(t.far)},
                                    {"lowest_measurable_far", t.lowest_measurable_far}};
  }
  nlohmann::json j = {
      {"pairs",
       {{"genuine", r.genuine},
        {"impostor", r.impostors},
        {"missed_genuine", r.missed_genuine},
        {"missed_impostor", r.missed_impostors}}},
      {"auc", r.auc},
      {"eer", {{"rate", r.eer.rate}, {"threshold", finite_or_null(r.eer.threshold)}}},
      {"tar_at_far", tar},
      {"best_accuracy", {{"accuracy", r.best.accuracy}, {"threshold", r.best.threshold}}},
      {"cross_validation",
       {{"folds", r.cross_validation.folds},
        {"mean_accuracy", r.cross_validation.mean_accuracy},
        {"std_accuracy", r.cross_validation.std_accuracy},
        {"fold_accuracy", r.cross_validation.fold_accuracy},
        {"fold_threshold", r.cross_validation.fold_threshold}}},
      {"logistic", {{"a", r.logistic.a}, {"b", r.logistic.b}, {"meaning", "P(same | d) = 1 / (1 + exp(a*d + b))"}}},
  };
  if (with_roc) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : r.roc) points.push_back({{"threshold", finite_or_null(p.threshold)}, {"far", p.far}, {"tar", p.tar}});
    j["roc"] = points;
  }
  return j;
}

Calibration calibration_from(const Report& r, const std::string& model, Metric metric, const std::string& dataset) {
  Calibration c;
  c.model = model;
  c.metric = metric;
  c.threshold = r.best.threshold;
  for (size_t i = 0; i < r.tar_at_far.size() && i < far_targets().size(); ++i)
    if (r.tar_at_far[i].measurable) c.far_thresholds[far_targets()[i].second] = r.tar_at_far[i].threshold;
  c.logistic = r.logistic;
  c.pairs = r.genuine + r.impostors - r.missed_genuine - r.missed_impostors;
  c.dataset = dataset;
  return c;
}

}  // namespace facekit::eval
