// Score-level fusion (include/facekit/fusion.h): the fused probability
// against a hand computation, the fit against the one-dimensional
// fit_logistic and against the weights that generated the data, member
// names, cards, and fused pair scores.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "facekit/error.h"
#include "testing.h"
#include "facekit/fusion.h"

namespace facekit {
namespace {

FusionCard tiny_card() {
  FusionCard card;
  card.name = "mobilefacenet+faceapi";
  card.members = {{"mobilefacenet", Metric::kCosine, true, -3.0}, {"faceapi", Metric::kEuclidean, false, -0.5}};
  card.bias = 2.0;
  return card;
}

using facekit::testing::error_of;

TEST(Fusion, ProbabilityIsTheHandComputedLogistic) {
  const FusionCard card = tiny_card();
  // z = 2 − 3·0.4 − 0.5·1.2 = 0.2; P = 1 / (1 + e^−0.2) = 0.549833997312478 (by hand).
  const std::vector<double> d{0.4, 1.2};
  EXPECT_NEAR(fused_probability(card, d), 0.549833997312478, 1e-15);
  EXPECT_NEAR(fused_distance(card, d), 1 - 0.549833997312478, 1e-15);
  // Far apart on both: z = 2 − 3·1.5 − 0.5·2 = −3.5, P = 1 / (1 + e^3.5) = 0.029312230751356 (by hand).
  EXPECT_NEAR(fused_probability(card, std::vector<double>{1.5, 2.0}), 0.029312230751356, 1e-15);
  EXPECT_NE(error_of([&] { fused_probability(card, std::vector<double>{0.4}); }), "");
  EXPECT_NE(error_of([&] { fused_probability(card, std::vector<double>{0.4, NAN}); }).find("faceapi"), std::string::npos);
}

TEST(Fusion, MembersAreCheckedByName) {
  EXPECT_TRUE(is_fusion("mobilefacenet+faceapi"));
  EXPECT_FALSE(is_fusion("mobilefacenet"));
  EXPECT_EQ(fusion_members("mobilefacenet+faceapi"), (std::vector<std::string>{"mobilefacenet", "faceapi"}));
  EXPECT_EQ(fusion_members("faceres+mobilefacenet+faceapi").size(), 3u);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"mobilefacenet", "at least two"},
      {"mobilefacenet+nosuch", "member 'nosuch' is not a recognizer"},
      {"mobilefacenet+mobilefacenet", "twice"},
      {"mobilefacenet++faceapi", "empty member"},
      {"+faceapi", "empty member"},
      {"mobilefacenet+my.onnx", "not a recognizer"},
  };
  for (const auto& [model, reason] : refused) {
    const std::string message = error_of([&] { fusion_members(model); });
    EXPECT_NE(message.find(reason), std::string::npos) << model << ": " << message;
    EXPECT_NE(message.find(model), std::string::npos) << model << ": " << message;
  }
}

TEST(Fusion, OneMemberFitEqualsFitLogistic) {
  // fit_logistic (match.h) is a separate implementation of the same
  // maximum-likelihood fit in one dimension: P = 1/(1 + exp(a·d + b)).
  std::mt19937 rng(7);
  std::normal_distribution<double> genuine(0.3, 0.1), impostor(0.8, 0.15);
  std::vector<double> d;
  std::vector<bool> same;
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 400; ++i) {
    const bool s = i % 2 == 0;
    d.push_back(s ? genuine(rng) : impostor(rng));
    same.push_back(s);
    rows.push_back({d.back()});
  }
  const Logistic want = fit_logistic(d, same);
  const FusionCard card = fit_fusion({{"mobilefacenet", Metric::kCosine, false, 0}}, rows, same);
  EXPECT_NEAR(card.members[0].weight, -want.a, 1e-6 * std::abs(want.a));
  EXPECT_NEAR(card.bias, -want.b, 1e-6 * std::abs(want.b) + 1e-9);
  EXPECT_EQ(card.pairs, 400);
}

TEST(Fusion, FitRecoversTheGeneratingWeights) {
  // Labels drawn from a known two-member logistic model: the fit finds it.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> uniform(0, 1);
  const double bias = 4, w0 = -6, w1 = -2;
  std::vector<std::vector<double>> rows;
  std::vector<bool> same;
  for (int i = 0; i < 40000; ++i) {
    const double a = uniform(rng) * 1.5, b = uniform(rng) * 2;
    const double p = 1 / (1 + std::exp(-(bias + w0 * a + w1 * b)));
    rows.push_back({a, b});
    same.push_back(uniform(rng) < p);
  }
  const FusionCard card = fit_fusion(tiny_card().members, rows, same);
  EXPECT_NEAR(card.bias, bias, 0.25);
  EXPECT_NEAR(card.members[0].weight, w0, 0.3);
  EXPECT_NEAR(card.members[1].weight, w1, 0.15);
  EXPECT_EQ(card.name, "mobilefacenet+faceapi");
  EXPECT_NE(error_of([&] { fit_fusion(tiny_card().members, rows, std::vector<bool>(rows.size(), true)); }), "");
}

TEST(Fusion, CardJsonRoundTripsAndRefusesBadCards) {
  FusionCard card = tiny_card();
  card.threshold = 0.4;
  card.pairs = 2200;
  card.dataset = "tiny";
  const FusionCard back = fusion_card_from_json(fusion_card_to_json(card), "card");
  EXPECT_EQ(back.name, card.name);
  ASSERT_EQ(back.members.size(), 2u);
  EXPECT_EQ(back.members[1].metric, Metric::kEuclidean);
  EXPECT_TRUE(back.members[0].flip);
  EXPECT_EQ(back.members[0].weight, -3.0);
  EXPECT_EQ(back.bias, 2.0);
  EXPECT_EQ(back.threshold, 0.4);
  EXPECT_EQ(back.pairs, 2200);
  for (const char* text :
       {R"({"members": [{"model": "mobilefacenet", "weight": -1}, {"model": "faceapi", "weight": -1}], "bias": 1, "threshold": 1.5})",
        R"({"members": [{"model": "mobilefacenet", "weight": -1}], "bias": 1})",
        R"({"members": [{"model": "mobilefacenet", "weight": -1}, {"model": "faceapi"}], "bias": 1})",
        R"({"members": [{"model": "mobilefacenet", "weight": -1}, {"model": "faceapi", "weight": -1, "metric": "l1"}], "bias": 1})",
        R"({"members": [{"model": "mobilefacenet", "weight": -1}, {"model": "faceapi", "weight": -1}]})", R"([1])"}) {
    EXPECT_NE(error_of([&] { fusion_card_from_json(nlohmann::json::parse(text), "fusion.json"); }).find("fusion.json"),
              std::string::npos)
        << text;
  }
}

TEST(Fusion, FusedPairScoresMissWhenAnyMemberMisses) {
  const FusionCard card = tiny_card();
  eval::PairScores a, b;
  a.pairs = {{0.4, true, 0}, eval::ScoredPair::miss(false, 1), {1.5, false, 2}};
  b.pairs = {{1.2, true, 0}, {2.0, false, 1}, eval::ScoredPair::miss(false, 2)};
  a.missed_images = {{"x.jpg", "x.jpg: no face found"}};
  b.missed_images = {{"x.jpg", "x.jpg: no face found"}, {"y.jpg", "y.jpg: no face found"}};
  const eval::PairScores fused = fuse_pair_scores(card, {a, b});
  ASSERT_EQ(fused.pairs.size(), 3u);
  EXPECT_NEAR(fused.pairs[0].distance, 1 - 0.549833997312478, 1e-15);
  EXPECT_TRUE(fused.pairs[0].same);
  EXPECT_TRUE(fused.pairs[1].missed());
  EXPECT_TRUE(fused.pairs[2].missed());
  EXPECT_EQ(fused.pairs[2].fold, 2);
  EXPECT_EQ(fused.missed_images.size(), 2u) << "each image once";
  EXPECT_NE(error_of([&] { fuse_pair_scores(card, {a}); }), "");
}

}  // namespace
}  // namespace facekit
