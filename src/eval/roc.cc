// ROC, AUC, EER and TAR at a fixed FAR from scored pairs.
#include <algorithm>
#include <cmath>
#include <limits>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

std::vector<ScoredPair> scored_only(const std::vector<ScoredPair>& pairs) {
  std::vector<ScoredPair> scored;
  for (const auto& p : pairs)
    if (!p.missed()) scored.push_back(p);
  return scored;
}

void check_scored(const std::vector<ScoredPair>& pairs, const std::string& context) {
  int64_t genuine = 0, missed = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (!std::isfinite(pairs[i].distance) && !pairs[i].missed())
      throw Error(context + ": pair " + std::to_string(i) + " has a non-finite distance");
    genuine += pairs[i].same;
    missed += pairs[i].missed();
  }
  const int64_t impostors = static_cast<int64_t>(pairs.size()) - genuine;
  check(genuine > 0 && impostors > 0, context,
        "needs both genuine and impostor pairs (got " + std::to_string(genuine) + " genuine, " +
            std::to_string(impostors) + " impostor)");
  check(missed < static_cast<int64_t>(pairs.size()), context,
        "every one of the " + std::to_string(pairs.size()) + " pairs was missed (no image of them gave a face)");
}

namespace {

std::vector<ScoredPair> sorted_by_distance(const std::vector<ScoredPair>& pairs) {
  std::vector<ScoredPair> sorted = pairs;
  std::sort(sorted.begin(), sorted.end(), [](const ScoredPair& x, const ScoredPair& y) { return x.distance < y.distance; });
  return sorted;
}

}  // namespace

std::vector<RocPoint> roc(const std::vector<ScoredPair>& pairs) {
  check_scored(pairs, "roc");
  const auto sorted = sorted_by_distance(pairs);
  double genuine = 0, impostors = 0;
  for (const auto& p : sorted) (p.same ? genuine : impostors) += 1;
  std::vector<RocPoint> points;
  points.push_back({std::nextafter(sorted.front().distance, -std::numeric_limits<double>::infinity()), 0, 0});
  double accepted_genuine = 0, accepted_impostors = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    (sorted[i].same ? accepted_genuine : accepted_impostors) += 1;
    if (i + 1 < sorted.size() && sorted[i + 1].distance == sorted[i].distance) continue;  // ties move together
    points.push_back({sorted[i].distance, accepted_impostors / impostors, accepted_genuine / genuine});
  }
  return points;
}

double auc(const std::vector<ScoredPair>& pairs) {
  check_scored(pairs, "auc");
  const auto sorted = sorted_by_distance(pairs);
  // Rank-sum of the impostors, tied distances sharing their mean rank: each
  // (genuine, impostor) pair with the impostor further counts 1, a tie 1/2.
  double impostor_rank_sum = 0, impostors = 0;
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin;
    double tied_impostors = 0;
    while (end < sorted.size() && sorted[end].distance == sorted[begin].distance) tied_impostors += !sorted[end++].same;
    const double mid_rank = (static_cast<double>(begin + 1) + static_cast<double>(end)) / 2;
    impostor_rank_sum += tied_impostors * mid_rank;
    impostors += tied_impostors;
    begin = end;
  }
  const double genuine = static_cast<double>(sorted.size()) - impostors;
  const double u = impostor_rank_sum - impostors * (impostors + 1) / 2;
  return u / (genuine * impostors);
}

Eer equal_error_rate(const std::vector<RocPoint>& roc) {
  check(roc.size() >= 2, "equal_error_rate", "needs an ROC of at least two points");
  const auto gap = [](const RocPoint& p) { return p.far - (1 - p.tar); };  // rises from −1 to +1
  for (size_t i = 1; i < roc.size(); ++i) {
    if (gap(roc[i]) < 0) continue;
    const RocPoint &lo = roc[i - 1], &hi = roc[i];
    const double t = -gap(lo) / (gap(hi) - gap(lo));
    // Reached only on the way to the closing point of missed pairs (threshold +inf): no finite threshold.
    const double threshold = t == 0 ? lo.threshold : lo.threshold + t * (hi.threshold - lo.threshold);
    return {lo.far + t * (hi.far - lo.far), threshold};
  }
  throw Error("equal_error_rate: the ROC does not reach FAR = 1 or TAR = 1");
}

TarAtFar tar_at_far(const std::vector<RocPoint>& roc, int64_t impostors, double target_far) {
  check(impostors > 0, "tar_at_far", "needs impostor pairs");
  check(target_far > 0 && target_far <= 1, "tar_at_far", "target FAR " + std::to_string(target_far) + " is not in (0, 1]");
  TarAtFar r;
  r.target_far = target_far;
  r.lowest_measurable_far = 1.0 / static_cast<double>(impostors);
  // A relative slack absorbs k/I rounding (e.g. 1000 impostors at 1e-3).
  const double slack = 1 + 1e-9;
  r.measurable = target_far * static_cast<double>(impostors) * slack >= 1;
  if (!r.measurable) {
    r.tar = r.threshold = r.far = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  for (const auto& p : roc) {  // TAR never falls along the ROC: keep the last point within the target
    if (p.far > target_far * slack) break;
    r.tar = p.tar;
    r.threshold = p.threshold;
    r.far = p.far;
  }
  return r;
}

}  // namespace facekit::eval
