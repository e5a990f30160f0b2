// Distance → probability: a logistic fit by Newton's method (IRLS).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "facekit/error.h"
#include "facekit/match.h"

namespace facekit {

double Logistic::probability_same(double distance) const {
  const double z = a * distance + b;
  // Written so that neither branch overflows exp().
  if (z >= 0) {
    const double e = std::exp(-z);
    return e / (1 + e);
  }
  return 1 / (1 + std::exp(z));
}

namespace {

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

// The fit runs on standardised distances x = (d − mean) / scale, where the
// Hessian is well conditioned whatever the metric's range; with
// z = w0 + w1·x, p(same) = sigmoid(z).
struct Problem {
  std::vector<double> x;
  std::vector<double> target;

  double loss(double w0, double w1) const {  // negative log-likelihood
    double sum = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double z = w0 + w1 * x[i];
      sum += target[i] * softplus(-z) + (1 - target[i]) * softplus(z);
    }
    return sum;
  }
};

}  // namespace

Logistic fit_logistic(std::span<const double> distances, const std::vector<bool>& same) {
  const std::string context = "fit_logistic";
  check(distances.size() == same.size(), context,
        std::to_string(distances.size()) + " distances but " + std::to_string(same.size()) + " labels");
  double n_same = 0, mean = 0;
  for (size_t i = 0; i < distances.size(); ++i) {
    if (!std::isfinite(distances[i]))
      throw Error(context + ": distance " + std::to_string(i) + " is not finite");
    n_same += same[i];
    mean += distances[i];
  }
  const double n = static_cast<double>(distances.size()), n_different = n - n_same;
  check(n_same > 0 && n_different > 0, context,
        "needs both same and different pairs (got " + std::to_string(static_cast<int64_t>(n_same)) + " same, " +
            std::to_string(static_cast<int64_t>(n_different)) + " different)");
  mean /= n;
  double variance = 0;
  for (double d : distances) variance += (d - mean) * (d - mean);
  const double scale = std::sqrt(variance / n);

  const double target_same = (n_same + 1) / (n_same + 2), target_different = 1 / (n_different + 2);
  Problem problem;
  for (size_t i = 0; i < distances.size(); ++i) {
    problem.x.push_back(scale > 0 ? (distances[i] - mean) / scale : 0);
    problem.target.push_back(same[i] ? target_same : target_different);
  }
  double w0 = std::log((n_same + 1) / (n_different + 1)), w1 = 0;  // the base rate
  if (scale > 0) {
    double loss = problem.loss(w0, w1);
    for (int iteration = 0; iteration < 100; ++iteration) {
      double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
      for (size_t i = 0; i < problem.x.size(); ++i) {
        const double xi = problem.x[i], p = sigmoid(w0 + w1 * xi), r = p - problem.target[i], w = p * (1 - p);
        g0 += r;
        g1 += r * xi;
        h00 += w;
        h01 += w * xi;
        h11 += w * xi * xi;
      }
      const double det = h00 * h11 - h01 * h01;
      if (!(det > 0)) break;  // flat: nothing more to learn
      const double step0 = (h11 * g0 - h01 * g1) / det, step1 = (h00 * g1 - h01 * g0) / det;
      // Newton's step, halved until the likelihood improves (it always does
      // for a small enough step, the loss being convex).
      double t = 1, next = 0;
      for (int halving = 0; halving < 40; ++halving, t /= 2) {
        next = problem.loss(w0 - t * step0, w1 - t * step1);
        if (next <= loss) break;
      }
      w0 -= t * step0;
      w1 -= t * step1;
      const bool converged = std::abs(t * step0) + std::abs(t * step1) < 1e-12 * (1 + std::abs(w0) + std::abs(w1));
      loss = next;
      if (converged) break;
    }
  }
  // z = w0 + w1 (d − mean) / scale and p = 1 / (1 + exp(−z)), so a·d + b = −z.
  Logistic fit;
  fit.a = scale > 0 ? -w1 / scale : 0;
  fit.b = -w0 + (scale > 0 ? w1 * mean / scale : 0);
  return fit;
}

}  // namespace facekit
