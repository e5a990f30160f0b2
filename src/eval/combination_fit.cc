// Fitting the combination of the analysis heads (include/facekit/combination_fit.h).
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <Eigen/Dense>

#include "facekit/combination_fit.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

constexpr int kAdamSteps = 1500;
constexpr double kAdamRate = 0.05;
constexpr int kIrlsSteps = 60;
constexpr double kIrlsFloor = 0.5;        // years: residuals below count as this in the weights
constexpr double kSelectionMargin = 1e-4;  // a removal must lower the CV loss by more than this
constexpr double kOneSigma = 0.6827;       // share of a Gaussian within ± one σ
constexpr size_t kMinBandFaces = 20;       // a band with fewer takes the σ of all faces

// ---- What one attribute's fit sees --------------------------------------------

// Per face: the label and, per head of the attribute, its view (a
// distribution's floored logs, or years).
struct FitData {
  std::vector<std::string> heads;
  std::vector<int> truth;                       // class index, or age in years
  std::vector<std::vector<std::vector<double>>> views;  // [face][head] → values
};

using ViewOf = std::function<std::optional<std::vector<double>>(const AttributeEstimate&)>;
using LabelOf = std::function<std::optional<int>(const LabelledFace&)>;

FitData gather(const std::vector<LabelledFace>& faces, const std::vector<FaceOutcome>& outcomes, const LabelOf& label,
               const ViewOf& view) {
  std::set<std::string> heads;
  for (const FaceOutcome& o : outcomes)
    for (const auto& [source, estimate] : o.sources)
      if (source != kCombinedSource && view(estimate)) heads.insert(source);
  FitData d;
  d.heads.assign(heads.begin(), heads.end());
  for (size_t i = 0; i < faces.size(); ++i) {
    const std::optional<int> truth = label(faces[i]);
    if (!truth || !outcomes[i].missed.empty()) continue;
    std::vector<std::vector<double>> row;
    for (const std::string& head : d.heads) {
      const auto s = outcomes[i].sources.find(head);
      const auto v = s == outcomes[i].sources.end() ? std::nullopt : view(s->second);
      if (!v) break;
      row.push_back(*v);
    }
    if (row.size() != d.heads.size()) continue;
    d.truth.push_back(*truth);
    d.views.push_back(std::move(row));
  }
  return d;
}

std::vector<double> floored_logs(const std::vector<double>& p) {
  std::vector<double> logs(p.size());
  for (size_t k = 0; k < p.size(); ++k) logs[k] = std::log(std::max(p[k], double{kProbabilityFloor}));
  return logs;
}

// ---- Class pooling: weighted product of distributions --------------------------

struct ClassModel {
  std::vector<double> weights;  // per head of FitData (0 for heads not used)
  std::vector<double> bias;
};

std::vector<double> class_probabilities(const FitData& d, size_t i, const ClassModel& m) {
  std::vector<double> z = m.bias;
  for (size_t h = 0; h < d.heads.size(); ++h)
    if (m.weights[h] != 0)
      for (size_t k = 0; k < z.size(); ++k) z[k] += m.weights[h] * d.views[i][h][k];
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (double& v : z) sum += v = std::exp(v - top);
  for (double& v : z) v /= sum;
  return z;
}

double class_loss(const FitData& d, const std::vector<size_t>& rows, const ClassModel& m) {
  double nll = 0;
  for (size_t i : rows) nll -= std::log(std::max(class_probabilities(d, i, m)[d.truth[i]], 1e-300));
  return nll / rows.size();
}

// Minimises the NLL over the weights of `used` heads (≥ 0) and the biases
// (the first held at 0), by full-batch Adam from equal weights.
ClassModel fit_classes(const FitData& d, const std::vector<size_t>& rows, const std::vector<bool>& used, size_t classes) {
  const size_t H = d.heads.size();
  ClassModel m{std::vector<double>(H, 0), std::vector<double>(classes, 0)};
  const double share = 1.0 / std::count(used.begin(), used.end(), true);
  for (size_t h = 0; h < H; ++h) m.weights[h] = used[h] ? share : 0;
  const size_t P = H + classes;
  std::vector<double> first(P, 0), second(P, 0), grad(P);
  for (int step = 1; step <= kAdamSteps; ++step) {
    std::fill(grad.begin(), grad.end(), 0);
    for (size_t i : rows) {
      std::vector<double> p = class_probabilities(d, i, m);
      p[d.truth[i]] -= 1;  // ∂NLL/∂z
      for (size_t h = 0; h < H; ++h)
        if (used[h])
          for (size_t k = 0; k < classes; ++k) grad[h] += p[k] * d.views[i][h][k];
      for (size_t k = 1; k < classes; ++k) grad[H + k] += p[k];
    }
    for (size_t j = 0; j < P; ++j) {
      const double g = grad[j] / rows.size();
      first[j] = 0.9 * first[j] + 0.1 * g;
      second[j] = 0.999 * second[j] + 0.001 * g * g;
      const double delta = kAdamRate * (first[j] / (1 - std::pow(0.9, step))) /
                           (std::sqrt(second[j] / (1 - std::pow(0.999, step))) + 1e-8);
      if (j < H) {
        if (used[j]) m.weights[j] = std::max(0.0, m.weights[j] - delta);
      } else if (j > H) {
        m.bias[j - H] -= delta;
      }
    }
  }
  return m;
}

// ---- Age: weighted sum of the heads' years -------------------------------------

struct AgeModel {
  double intercept = 0;
  std::vector<double> weights;
};

double age_estimate(const FitData& d, size_t i, const AgeModel& m) {
  double y = m.intercept;
  for (size_t h = 0; h < d.heads.size(); ++h) y += m.weights[h] * d.views[i][h][0];
  return std::max(0.0, y);
}

double age_loss(const FitData& d, const std::vector<size_t>& rows, const AgeModel& m) {
  double sum = 0;
  for (size_t i : rows) sum += std::fabs(age_estimate(d, i, m) - d.truth[i]);
  return sum / rows.size();
}

// Least absolute deviations over the `used` heads by IRLS; a head whose
// weight comes out negative is left out and the rest refitted.
AgeModel fit_age(const FitData& d, const std::vector<size_t>& rows, std::vector<bool> used) {
  const size_t H = d.heads.size();
  for (;;) {
    std::vector<size_t> columns;
    for (size_t h = 0; h < H; ++h)
      if (used[h]) columns.push_back(h);
    Eigen::MatrixXd X(rows.size(), columns.size() + 1);
    Eigen::VectorXd y(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      X(r, 0) = 1;
      for (size_t c = 0; c < columns.size(); ++c) X(r, c + 1) = d.views[rows[r]][columns[c]][0];
      y(r) = d.truth[rows[r]];
    }
    Eigen::VectorXd beta = X.colPivHouseholderQr().solve(y);
    for (int step = 0; step < kIrlsSteps; ++step) {
      const Eigen::VectorXd w = (y - X * beta).cwiseAbs().cwiseMax(kIrlsFloor).cwiseInverse();
      beta = (X.transpose() * w.asDiagonal() * X).ldlt().solve(X.transpose() * w.asDiagonal() * y);
    }
    AgeModel m{beta(0), std::vector<double>(H, 0)};
    size_t worst = H;
    for (size_t c = 0; c < columns.size(); ++c) {
      m.weights[columns[c]] = beta(c + 1);
      if (beta(c + 1) < 0 && (worst == H || beta(c + 1) < m.weights[worst])) worst = columns[c];
    }
    if (worst == H || columns.size() == 1) {
      for (double& w : m.weights) w = std::max(0.0, w);
      return m;
    }
    used[worst] = false;
  }
}

// ---- Selection of heads by cross-validation ------------------------------------

std::vector<std::vector<size_t>> folds_of(size_t n, bool held_out) {
  std::vector<std::vector<size_t>> folds(kFolds);
  for (int f = 0; f < kFolds; ++f)
    for (size_t i = 0; i < n; ++i)
      if ((static_cast<int>(i % kFolds) == f) == held_out) folds[f].push_back(i);
  return folds;
}

// Backward elimination: the subset of heads with the lowest CV loss found by
// removing one head at a time while that helps.
std::vector<bool> select_heads(size_t heads, const std::function<double(const std::vector<bool>&)>& cv_loss,
                               double& best_loss) {
  std::vector<bool> used(heads, true);
  best_loss = cv_loss(used);
  for (;;) {
    size_t best_removal = heads;
    double removal_loss = best_loss - kSelectionMargin;
    if (std::count(used.begin(), used.end(), true) <= 1) break;
    for (size_t h = 0; h < heads; ++h) {
      if (!used[h]) continue;
      std::vector<bool> fewer = used;
      fewer[h] = false;
      const double loss = cv_loss(fewer);
      if (loss < removal_loss) {
        removal_loss = loss;
        best_removal = h;
      }
    }
    if (best_removal == heads) break;
    used[best_removal] = false;
    best_loss = removal_loss;
  }
  return used;
}

std::vector<size_t> all_rows(size_t n) {
  std::vector<size_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  return rows;
}

std::vector<std::string> dropped_heads(const FitData& d, const std::vector<double>& weights) {
  std::vector<std::string> dropped;
  for (size_t h = 0; h < d.heads.size(); ++h)
    if (weights[h] == 0) dropped.push_back(d.heads[h]);
  return dropped;
}

std::optional<CombinationFit::Attribute> fit_class_attribute(const FitData& d, const std::string& name,
                                                             ClassPooling& pooling) {
  if (d.truth.size() < kMinFitFaces || d.heads.empty()) return std::nullopt;
  const size_t classes = pooling.classes.size();
  const auto train = folds_of(d.truth.size(), false), test = folds_of(d.truth.size(), true);
  double cv = 0;
  const std::vector<bool> used = select_heads(d.heads.size(), [&](const std::vector<bool>& u) {
    double loss = 0;
    for (int f = 0; f < kFolds; ++f) loss += class_loss(d, test[f], fit_classes(d, train[f], u, classes)) * test[f].size();
    return loss / d.truth.size();
  }, cv);
  const ClassModel m = fit_classes(d, all_rows(d.truth.size()), used, classes);
  pooling.weights.clear();
  for (size_t h = 0; h < d.heads.size(); ++h) pooling.weights[d.heads[h]] = m.weights[h];
  pooling.bias = m.bias;
  return CombinationFit::Attribute{name, d.truth.size(), cv, dropped_heads(d, m.weights)};
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double at = q * (values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (at - below) * (values[above] - values[below]);
}

std::optional<CombinationFit::Attribute> fit_age_attribute(const FitData& d, AgePooling& pooling) {
  if (d.truth.size() < kMinFitFaces || d.heads.empty()) return std::nullopt;
  const auto train = folds_of(d.truth.size(), false), test = folds_of(d.truth.size(), true);
  double cv = 0;
  const std::vector<bool> used = select_heads(d.heads.size(), [&](const std::vector<bool>& u) {
    double loss = 0;
    for (int f = 0; f < kFolds; ++f) loss += age_loss(d, test[f], fit_age(d, train[f], u)) * test[f].size();
    return loss / d.truth.size();
  }, cv);
  // The bands' σ from the held-out estimates of the chosen heads.
  std::vector<std::vector<double>> errors(kAgeBandEdges.size());
  std::vector<double> all_errors;
  for (int f = 0; f < kFolds; ++f) {
    const AgeModel fold = fit_age(d, train[f], used);
    for (size_t i : test[f]) {
      const double estimate = age_estimate(d, i, fold);
      const size_t band = std::min<size_t>(
          std::upper_bound(kAgeBandEdges.begin(), kAgeBandEdges.end(), estimate) - kAgeBandEdges.begin(),
          kAgeBandEdges.size() - 1);
      errors[band].push_back(std::fabs(estimate - d.truth[i]));
      all_errors.push_back(errors[band].back());
    }
  }
  const AgeModel m = fit_age(d, all_rows(d.truth.size()), used);
  pooling.intercept = m.intercept;
  pooling.weights.clear();
  for (size_t h = 0; h < d.heads.size(); ++h) pooling.weights[d.heads[h]] = m.weights[h];
  pooling.bands.clear();
  const double overall = quantile(all_errors, kOneSigma);
  for (size_t b = 0; b < kAgeBandEdges.size(); ++b)
    pooling.bands.push_back({kAgeBandEdges[b], errors[b].size() >= kMinBandFaces ? quantile(errors[b], kOneSigma) : overall});
  return CombinationFit::Attribute{"age", d.truth.size(), cv, dropped_heads(d, m.weights)};
}

}  // namespace

CombinationFit fit_combination(const std::vector<LabelledFace>& faces, const std::vector<FaceOutcome>& outcomes,
                               const AnalysisCombination& start) {
  check(faces.size() == outcomes.size(), "fit_combination",
        std::to_string(faces.size()) + " labelled faces but " + std::to_string(outcomes.size()) + " outcomes");
  CombinationFit fit{start, {}};
  const auto keep = [&](std::optional<CombinationFit::Attribute> a) {
    if (a) fit.attributes.push_back(std::move(*a));
  };
  keep(fit_age_attribute(gather(faces, outcomes, [](const LabelledFace& f) { return f.age; },
                                [](const AttributeEstimate& e) -> std::optional<std::vector<double>> {
                                  if (!e.age) return std::nullopt;
                                  return std::vector<double>{*e.age};
                                }),
                         fit.combination.age));
  keep(fit_class_attribute(gather(faces, outcomes, [](const LabelledFace& f) { return f.gender; },
                                  [](const AttributeEstimate& e) -> std::optional<std::vector<double>> {
                                    if (!e.male_probability) return std::nullopt;
                                    return floored_logs({*e.male_probability, 1.0 - *e.male_probability});
                                  }),
                           "gender", fit.combination.gender));
  fit.combination.race.classes.assign(kRaceNames.begin(), kRaceNames.end());
  fit.combination.race.bias.resize(kRaceNames.size(), 0);
  keep(fit_class_attribute(gather(faces, outcomes, [](const LabelledFace& f) { return f.race; },
                                  [](const AttributeEstimate& e) -> std::optional<std::vector<double>> {
                                    if (!e.race) return std::nullopt;
                                    return floored_logs(std::vector<double>(e.race->begin(), e.race->end()));
                                  }),
                           "race", fit.combination.race));
  keep(fit_class_attribute(gather(faces, outcomes, [](const LabelledFace& f) { return f.emotion; },
                                  [](const AttributeEstimate& e) -> std::optional<std::vector<double>> {
                                    if (!e.emotion) return std::nullopt;
                                    return floored_logs(std::vector<double>(e.emotion->begin(), e.emotion->end()));
                                  }),
                           "emotion", fit.combination.emotion));
  return fit;
}

}  // namespace facekit::eval
