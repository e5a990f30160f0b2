// 1:N identification: decisions, aggregation, confidence and look-alikes on
// vectors whose answers are known by construction or by hand.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/identify.h"

using namespace facekit;

namespace {

StoredVector stored(const std::string& identity, std::vector<float> v) {
  StoredVector s;
  s.identity = identity;
  s.vector = std::move(v);
  s.file = identity + ".jpg";
  return s;
}

std::vector<float> noisy(const std::vector<float>& base, float sigma, std::mt19937& rng) {
  std::normal_distribution<float> normal(0, sigma);
  auto v = base;
  for (auto& x : v) x += normal(rng);
  return v;
}

// `people` identities of `photos` photos each around a random direction.
struct Synthetic {
  std::vector<std::vector<float>> bases;
  std::vector<StoredVector> gallery;
  Synthetic(int people, int photos, int dim, uint32_t seed) {
    std::mt19937 rng(seed);
    for (int p = 0; p < people; ++p) {
      bases.push_back(noisy(std::vector<float>(dim, 0.f), 1.f, rng));
      for (int i = 0; i < photos; ++i)
        gallery.push_back(stored("person " + std::to_string(p), noisy(bases.back(), 0.15f, rng)));
    }
  }
};

TEST(Identify, KnownFacesAndStrangers) {
  constexpr int kPeople = 40, kDim = 64;
  Synthetic data(kPeople, 3, kDim, 1);
  for (const std::string& index : index_names())
    for (const auto& aggregation : aggregation_names()) {
      IdentifyOptions options;
      options.threshold = 0.3;  // cosine
      options.aggregation = parse_aggregation(aggregation);
      options.index = index;
      Identifier identifier(data.gallery, options);
      ASSERT_EQ(identifier.identities().size(), static_cast<size_t>(kPeople));
      std::mt19937 rng(2);
      for (int p = 0; p < kPeople; ++p) {
        const auto result = identifier.identify(noisy(data.bases[p], 0.15f, rng), 3);
        const std::string who = "person " + std::to_string(p);
        ASSERT_TRUE(result.identity.has_value()) << index << " " << aggregation << " " << who;
        EXPECT_EQ(*result.identity, who);
        ASSERT_EQ(result.candidates.size(), 3u);
        EXPECT_EQ(result.candidates[0].identity, who);
        EXPECT_LE(result.candidates[0].distance, result.candidates[1].distance);
        EXPECT_LE(result.candidates[1].distance, result.candidates[2].distance);
        EXPECT_DOUBLE_EQ(result.distance, result.candidates[0].distance);
        EXPECT_DOUBLE_EQ(result.margin, result.candidates[1].distance - result.candidates[0].distance);
        EXPECT_GT(result.confidence, 0.3);
        EXPECT_FALSE(result.calibrated);
      }
      // A stranger: a random direction, far from everyone in 64-D.
      const auto stranger = identifier.identify(noisy(std::vector<float>(kDim, 0.f), 1.f, rng));
      EXPECT_FALSE(stranger.identity.has_value());
      EXPECT_GT(stranger.distance, options.threshold);
      EXPECT_EQ(stranger.candidates.size(), 5u);  // look-alikes all the same
    }
}

// Euclidean on a line, where every distance is hand-computed:
// A at 0 and 10, B at 3 and 3.5, query at 0.5.
TEST(Identify, AggregationsByHand) {
  const std::vector<StoredVector> gallery{stored("A", {0, 0}), stored("A", {10, 0}), stored("B", {3, 0}),
                                          stored("B", {3.5f, 0})};
  IdentifyOptions options;
  options.metric = Metric::kEuclidean;
  options.threshold = 2.8;
  const std::vector<float> query{0.5f, 0};
  auto run = [&](Aggregation aggregation, int top_n) {
    options.aggregation = aggregation;
    options.top_n = top_n;
    return Identifier(gallery, options).identify(query, 2);
  };
  auto best = run(Aggregation::kBest, 1);
  EXPECT_EQ(best.identity, "A");
  EXPECT_NEAR(best.distance, 0.5, 1e-6);
  EXPECT_NEAR(best.margin, 2.0, 1e-6);
  EXPECT_NEAR(best.confidence, (1 - 0.5 / 2.8) * (2.0 / 2.8), 1e-6);

  auto mean = run(Aggregation::kMeanTopN, 2);  // A: (0.5 + 9.5)/2 = 5, B: (2.5 + 3)/2 = 2.75
  EXPECT_EQ(mean.identity, "B");
  EXPECT_EQ(mean.candidates[1].identity, "A");
  EXPECT_NEAR(mean.distance, 2.75, 1e-6);
  EXPECT_NEAR(mean.candidates[1].distance, 5.0, 1e-6);

  auto centroid = run(Aggregation::kCentroid, 1);  // A at 5, B at 3.25
  EXPECT_EQ(centroid.identity, "B");
  EXPECT_NEAR(centroid.distance, 2.75, 1e-6);
  EXPECT_NEAR(centroid.candidates[1].distance, 4.5, 1e-6);

  options.threshold = 2.0;  // now nobody is near enough for mean-top-2
  auto unknown = run(Aggregation::kMeanTopN, 2);
  EXPECT_FALSE(unknown.identity.has_value());
  EXPECT_NEAR(unknown.confidence, 2.75 / 2.0 - 1, 1e-6);
}

TEST(Identify, CalibratedConfidenceIsAProbability) {
  const std::vector<StoredVector> gallery{stored("A", {1, 0}), stored("B", {0, 1})};
  IdentifyOptions options;
  options.threshold = 0.4;
  options.logistic = Logistic{10, -4};  // p = 0.5 at distance 0.4
  Identifier identifier(gallery, options);
  const auto r = identifier.identify(std::vector<float>{1, 0.1f});
  ASSERT_EQ(r.identity, "A");
  const double p1 = options.logistic->probability_same(r.distance);
  const double p2 = options.logistic->probability_same(r.candidates[1].distance);
  EXPECT_TRUE(r.calibrated);
  EXPECT_NEAR(r.confidence, p1 * (1 - p2), 1e-9);
  // Cosine distances by hand: 1 − cos(atan 0.1) and 1 − sin(atan 0.1).
  EXPECT_NEAR(r.distance, 1 - 1 / std::sqrt(1.01), 1e-6);
  EXPECT_NEAR(r.candidates[1].distance, 1 - 0.1 / std::sqrt(1.01), 1e-6);
}

TEST(Identify, LookAlikes) {
  const std::vector<StoredVector> gallery{stored("A", {1, 0, 0}), stored("A'", {0.9f, 0.1f, 0}),
                                          stored("B", {0, 1, 0}), stored("C", {0, 0, 1})};
  IdentifyOptions options;
  options.threshold = 0.3;
  Identifier identifier(gallery, options);
  const auto near_a = identifier.look_alikes("A", 2);
  ASSERT_EQ(near_a.size(), 2u);
  EXPECT_EQ(near_a[0].identity, "A'");
  EXPECT_NEAR(near_a[0].distance, 1 - 0.9 / std::sqrt(0.82), 1e-6);
  EXPECT_EQ(identifier.look_alikes("C", 10).size(), 3u);
  EXPECT_THROW(identifier.look_alikes("nobody"), Error);
}

TEST(Identify, BadInput) {
  IdentifyOptions options;
  options.threshold = 0.4;
  const Identifier empty({}, options);
  const auto r = empty.identify(std::vector<float>{1, 2, 3});
  EXPECT_FALSE(r.identity.has_value());
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_TRUE(std::isinf(r.distance));

  const std::vector<StoredVector> gallery{stored("A", {1, 0}), stored("B", {0, 1})};
  const Identifier identifier(gallery, options);
  EXPECT_THROW(identifier.identify(std::vector<float>{1, 0, 0}), Error);
  EXPECT_THROW(identifier.identify(std::vector<float>{0, 0}), Error);  // no direction
  EXPECT_THROW(identifier.identify(std::vector<float>{NAN, 0}), Error);
  EXPECT_THROW(Identifier({stored("A", {1, 0}), stored("B", {1, 0, 0})}, options), Error);
  EXPECT_THROW(Identifier({stored("A", {0, 0})}, options), Error);
  options.threshold = 0;
  EXPECT_THROW(Identifier(gallery, options), Error);
  options.threshold = 0.4;
  options.index = "nope";
  EXPECT_THROW(Identifier(gallery, options), Error);
  EXPECT_THROW(parse_aggregation("median"), Error);
}

}  // namespace
