// Combining heads' views: means, spreads, and agreement that falls as heads
// disagree; confidence that falls with quality, border cuts and grey images.
#include <gtest/gtest.h>

#include "analyze/combine.h"

namespace facekit {
namespace {

const std::vector<Action> kAll = {Action::kAge, Action::kGender, Action::kEmotion, Action::kRace, Action::kSpoof};

HeadAnalysis age_head(float years, float spread, float male) {
  HeadAnalysis h;
  h.age = AgeEstimate{years, spread};
  h.male_probability = male;
  return h;
}

FaceAnalysis combined(std::vector<HeadAnalysis> heads, analyze::FaceConditions conditions = {}) {
  FaceAnalysis a;
  a.heads = std::move(heads);
  analyze::combine(kAll, conditions, a);
  return a;
}

TEST(AnalyzeCombine, AgeIsTheMeanAndItsUncertaintyAddsDisagreement) {
  const FaceAnalysis a = combined({age_head(20, 3, 0.9f), age_head(30, 3, 0.8f)});
  ASSERT_TRUE(a.age);
  EXPECT_FLOAT_EQ(a.age->years, 25);
  EXPECT_NEAR(a.age->uncertainty, std::sqrt(9.f + 25.f), 1e-5);
  EXPECT_NEAR(a.agreement.at("age"), std::exp(-0.5f), 1e-6);
  EXPECT_EQ(*a.gender, "male");
  EXPECT_NEAR(a.gender_probability, 0.85f, 1e-6);
  EXPECT_NEAR(a.agreement.at("gender"), 0.9f, 1e-6);
}

TEST(AnalyzeCombine, DisagreementLowersConfidence) {
  const FaceAnalysis agree = combined({age_head(30, 2, 0.9f), age_head(31, 2, 0.9f)});
  const FaceAnalysis disagree = combined({age_head(20, 2, 0.9f), age_head(60, 2, 0.1f)});
  EXPECT_GT(agree.confidence, 0.9f);
  EXPECT_LT(disagree.confidence, agree.confidence - 0.4f);
}

TEST(AnalyzeCombine, EmotionAgreementIsOneMinusTotalVariation) {
  HeadAnalysis happy, sad;
  happy.emotion = EmotionDistribution{0, 0, 0, 1, 0, 0, 0};
  sad.emotion = EmotionDistribution{0, 0, 0, 0.5f, 0.5f, 0, 0};
  const FaceAnalysis a = combined({happy, sad});
  EXPECT_NEAR(a.agreement.at("emotion"), 0.5f, 1e-6);
  EXPECT_NEAR((*a.emotion)[3], 0.75f, 1e-6);
  EXPECT_NEAR((*a.emotion)[4], 0.25f, 1e-6);
}

TEST(AnalyzeCombine, ConditionsScaleConfidence) {
  const std::vector<HeadAnalysis> heads = {age_head(30, 2, 0.9f)};
  const float good = combined(heads).confidence;
  EXPECT_FLOAT_EQ(good, 1.f);  // one head: nothing to disagree about, perfect conditions
  EXPECT_NEAR(combined(heads, {.quality = 0.0625f}).confidence, 0.5f, 1e-6);
  EXPECT_NEAR(combined(heads, {.fraction_inside = 0.5f}).confidence, 0.5f, 1e-6);
  const FaceAnalysis grey = combined(heads, {.grayscale = true});
  EXPECT_TRUE(grey.grayscale);
  EXPECT_NEAR(grey.confidence, 0.75f, 1e-6);
}

TEST(AnalyzeCombine, OnlyRequestedAttributesAreFilled) {
  FaceAnalysis a;
  a.heads = {age_head(30, 2, 0.9f)};
  analyze::combine({Action::kGender}, {}, a);
  EXPECT_FALSE(a.age);
  EXPECT_TRUE(a.gender);
}

}  // namespace
}  // namespace facekit
