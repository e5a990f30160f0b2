// Score-level fusion: member names, the fused probability, the logistic fit
// (include/facekit/fusion.h).
#include <algorithm>
#include <cmath>
#include <set>

#include <opencv2/core.hpp>

#include "facekit/embed.h"
#include "facekit/error.h"
#include "facekit/fusion.h"

namespace facekit {

bool is_fusion(const std::string& model) { return model.find(kFusionSeparator) != std::string::npos; }

std::vector<std::string> fusion_members(const std::string& model) {
  const std::string what = "fused model '" + model + "'";
  std::vector<std::string> members;
  size_t begin = 0;
  while (true) {
    const size_t end = model.find(kFusionSeparator, begin);
    members.push_back(model.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  check(members.size() >= 2, what, "needs at least two members joined by '+'");
  const std::vector<std::string> known = recognizer_names();
  std::string known_list;
  for (const auto& n : known) known_list += (known_list.empty() ? "" : ", ") + n;
  std::set<std::string> seen;
  for (const std::string& m : members) {
    check(!m.empty(), what, "has an empty member (two '+' in a row, or one at an end)");
    check(std::find(known.begin(), known.end(), m) != known.end(), what,
          "member '" + m + "' is not a recognizer (known: " + known_list + ")");
    check(seen.insert(m).second, what, "names member '" + m + "' twice");
  }
  return members;
}

double fused_probability(const FusionCard& card, std::span<const double> distances) {
  check(distances.size() == card.members.size(), "fusion " + card.name,
        std::to_string(distances.size()) + " distances for " + std::to_string(card.members.size()) + " members");
  double z = card.bias;
  for (size_t i = 0; i < distances.size(); ++i) {
    check(std::isfinite(distances[i]), "fusion " + card.name,
          "the distance of member " + card.members[i].model + " is not finite");
    z += card.members[i].weight * distances[i];
  }
  // The same Logistic as a single model's calibration: P = 1 / (1 + exp(a·d + b)) with a·d + b = −z.
  return Logistic{1, 0}.probability_same(-z);
}

double fused_distance(const FusionCard& card, std::span<const double> distances) {
  return 1 - fused_probability(card, distances);
}

namespace {

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

}  // namespace

FusionCard fit_fusion(std::vector<FusionMember> members, const std::vector<std::vector<double>>& distances,
                      const std::vector<bool>& same) {
  const std::string context = "fit_fusion";
  const size_t n = distances.size(), k = members.size();
  check(k >= 1, context, "no members");
  check(n == same.size(), context, std::to_string(n) + " pairs but " + std::to_string(same.size()) + " labels");
  double n_same = 0;
  std::vector<double> mean(k, 0), scale(k, 0);
  for (size_t i = 0; i < n; ++i) {
    check(distances[i].size() == k, context, "pair " + std::to_string(i) + " has " +
                                                 std::to_string(distances[i].size()) + " distances for " +
                                                 std::to_string(k) + " members");
    for (size_t j = 0; j < k; ++j) {
      check(std::isfinite(distances[i][j]), context, "distance " + std::to_string(i) + " is not finite");
      mean[j] += distances[i][j] / static_cast<double>(n);
    }
    n_same += same[i];
  }
  const double n_different = static_cast<double>(n) - n_same;
  check(n_same > 0 && n_different > 0, context, "needs both same and different pairs");
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < k; ++j) scale[j] += (distances[i][j] - mean[j]) * (distances[i][j] - mean[j]) / static_cast<double>(n);
  for (double& s : scale) s = std::sqrt(s) > 0 ? std::sqrt(s) : 1;

  // Standardised design matrix with an intercept column; Platt's targets.
  const int p = static_cast<int>(k) + 1;
  std::vector<std::vector<double>> x(n, std::vector<double>(p, 1));
  std::vector<double> target(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < k; ++j) x[i][j + 1] = (distances[i][j] - mean[j]) / scale[j];
    target[i] = same[i] ? (n_same + 1) / (n_same + 2) : 1 / (n_different + 2);
  }
  auto loss = [&](const std::vector<double>& w) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      double z = 0;
      for (int c = 0; c < p; ++c) z += w[c] * x[i][c];
      sum += target[i] * softplus(-z) + (1 - target[i]) * softplus(z);
    }
    return sum;
  };
  std::vector<double> w(p, 0);
  w[0] = std::log((n_same + 1) / (n_different + 1));
  double current = loss(w);
  for (int iteration = 0; iteration < 100; ++iteration) {
    cv::Mat gradient = cv::Mat::zeros(p, 1, CV_64F), hessian = cv::Mat::zeros(p, p, CV_64F);
    for (size_t i = 0; i < n; ++i) {
      double z = 0;
      for (int c = 0; c < p; ++c) z += w[c] * x[i][c];
      const double prob = sigmoid(z), r = prob - target[i], h = prob * (1 - prob);
      for (int a = 0; a < p; ++a) {
        gradient.at<double>(a) += r * x[i][a];
        for (int b = 0; b < p; ++b) hessian.at<double>(a, b) += h * x[i][a] * x[i][b];
      }
    }
    cv::Mat step;
    if (!cv::solve(hessian, gradient, step, cv::DECOMP_CHOLESKY)) break;  // flat: nothing more to learn
    // Newton's step, halved until the likelihood improves (the loss is convex).
    double t = 1, next = current;
    std::vector<double> trial(p);
    for (int halving = 0; halving < 40; ++halving, t /= 2) {
      for (int c = 0; c < p; ++c) trial[c] = w[c] - t * step.at<double>(c);
      next = loss(trial);
      if (next <= current) break;
    }
    double moved = 0, size = 1;
    for (int c = 0; c < p; ++c) moved += std::abs(trial[c] - w[c]), size += std::abs(trial[c]);
    w = trial;
    current = next;
    if (moved < 1e-12 * size) break;
  }
  // z = w0 + Σ wⱼ (dⱼ − meanⱼ) / scaleⱼ = bias + Σ weightⱼ dⱼ.
  FusionCard card;
  card.bias = w[0];
  for (size_t j = 0; j < k; ++j) {
    members[j].weight = w[j + 1] / scale[j];
    card.bias -= w[j + 1] * mean[j] / scale[j];
    card.name += (j ? std::string(1, kFusionSeparator) : "") + members[j].model;
  }
  card.members = std::move(members);
  card.pairs = static_cast<int64_t>(n);
  return card;
}

}  // namespace facekit

namespace facekit {

namespace {

void check_member_scores(size_t members, const std::vector<eval::PairScores>& scores, const std::string& context) {
  check(scores.size() == members && !scores.empty(), context,
        std::to_string(scores.size()) + " members' scores for " + std::to_string(members) + " members");
  for (const auto& s : scores)
    check(s.pairs.size() == scores.front().pairs.size(), context, "the members scored different numbers of pairs");
}

}  // namespace

eval::PairScores fuse_pair_scores(const FusionCard& card, const std::vector<eval::PairScores>& members) {
  check_member_scores(card.members.size(), members, "fusion " + card.name);
  eval::PairScores out;
  std::set<std::filesystem::path> missed, whole;
  for (const auto& m : members) {
    for (const auto& image : m.missed_images)
      if (missed.insert(image.image).second) out.missed_images.push_back(image);
    for (const auto& image : m.whole_images)
      if (whole.insert(image).second) out.whole_images.push_back(image);
  }
  std::vector<double> distances(members.size());
  for (size_t i = 0; i < members.front().pairs.size(); ++i) {
    const eval::ScoredPair& first = members.front().pairs[i];
    bool any_missed = false;
    for (size_t m = 0; m < members.size(); ++m) {
      any_missed |= members[m].pairs[i].missed();
      distances[m] = members[m].pairs[i].distance;
    }
    out.pairs.push_back(any_missed ? eval::ScoredPair::miss(first.same, first.fold)
                                   : eval::ScoredPair{fused_distance(card, distances), first.same, first.fold});
  }
  // The members find their faces with one detector, so their whole images agree.
  for (const auto& m : members) out.whole_image_pairs = std::max(out.whole_image_pairs, m.whole_image_pairs);
  return out;
}

FusionCard fit_fusion(std::vector<FusionMember> members, const std::vector<eval::PairScores>& member_scores) {
  check_member_scores(members.size(), member_scores, "fit_fusion");
  std::vector<std::vector<double>> distances;
  std::vector<bool> same;
  for (size_t i = 0; i < member_scores.front().pairs.size(); ++i) {
    std::vector<double> row;
    for (const auto& s : member_scores) {
      if (s.pairs[i].missed()) break;
      row.push_back(s.pairs[i].distance);
    }
    if (row.size() != members.size()) continue;
    distances.push_back(std::move(row));
    same.push_back(member_scores.front().pairs[i].same);
  }
  return fit_fusion(std::move(members), distances, same);
}

}  // namespace facekit
