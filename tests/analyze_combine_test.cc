// Combining heads' views: the fitted pooling (weighted product of
// distributions, weighted sum of ages, σ by band), agreement that falls as
// heads disagree; confidence that falls with quality, border cuts and grey
// images.
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analyze/combine.h"
#include "facekit/error.h"

namespace facekit {
namespace {

const std::vector<Action> kAll = {Action::kAge, Action::kGender, Action::kEmotion, Action::kRace, Action::kSpoof};

// Two age/gender heads "a" and "b" of equal weight, two emotion heads.
AnalysisCombination equal_weights() {
  AnalysisCombination c;
  c.age = {0, {{"a", 0.5}, {"b", 0.5}}, {{40, 3}, {1000, 9}}};
  c.gender = {{"male", "female"}, {{"a", 0.5}, {"b", 0.5}}, {0, 0}};
  c.race = {{"white", "black", "asian", "indian", "other"}, {{"a", 1}}, {0, 0, 0, 0, 0}};
  c.emotion = {std::vector<std::string>(kEmotionNames.begin(), kEmotionNames.end()), {{"a", 0.5}, {"b", 0.5}},
               std::vector<double>(7, 0)};
  return c;
}

HeadAnalysis age_head(float years, float spread, float male, const char* id = "a") {
  HeadAnalysis h;
  h.head = id;
  h.age = AgeEstimate{years, spread};
  h.male_probability = male;
  return h;
}

FaceAnalysis combined(std::vector<HeadAnalysis> heads, analyze::FaceConditions conditions = {}) {
  FaceAnalysis a;
  a.heads = std::move(heads);
  analyze::combine(kAll, conditions, a, equal_weights());
  return a;
}

TEST(AnalyzeCombine, AgeIsTheWeightedSumWithItsBandsSigma) {
  const FaceAnalysis a = combined({age_head(20, 3, 0.9f, "a"), age_head(30, 3, 0.8f, "b")});
  ASSERT_TRUE(a.age);
  EXPECT_FLOAT_EQ(a.age->years, 25);
  EXPECT_FLOAT_EQ(a.age->uncertainty, 3);  // the band below 40
  EXPECT_FLOAT_EQ(combined({age_head(50, 3, 0.9f, "a"), age_head(60, 3, 0.8f, "b")}).age->uncertainty, 9);
  EXPECT_NEAR(a.agreement.at("age"), std::exp(-0.5f), 1e-6);
  // Gender: the normalised geometric mean, by hand: √(.9·.8) against √(.1·.2).
  EXPECT_EQ(*a.gender, "male");
  const double male = std::sqrt(0.9 * 0.8), female = std::sqrt(0.1 * 0.2);
  EXPECT_NEAR(a.gender_probability, male / (male + female), 1e-6);
  EXPECT_NEAR(a.agreement.at("gender"), 0.9f, 1e-6);
}

TEST(AnalyzeCombine, AHeadOfWeightZeroOrUnknownDoesNotVote) {
  AnalysisCombination c = equal_weights();
  c.age.weights = {{"a", 1}, {"b", 0}};
  FaceAnalysis f;
  f.heads = {age_head(20, 3, 0.9f, "a"), age_head(60, 3, 0.1f, "b"), age_head(90, 3, 0.0f, "unknown")};
  analyze::combine(kAll, {}, f, c);
  EXPECT_FLOAT_EQ(f.age->years, 20);
  // A weighted head missing: the others' weights scaled to the same sum.
  c.age.weights = {{"a", 0.25}, {"b", 0.75}};
  FaceAnalysis only_a;
  only_a.heads = {age_head(20, 3, 0.9f, "a")};
  analyze::combine(kAll, {}, only_a, c);
  EXPECT_FLOAT_EQ(only_a.age->years, 20);
}

TEST(AnalyzeCombine, TheFloorKeepsOneCertainHeadFromVetoing) {
  // Head a is certain of female (P(male) = 0), b 0.99 male: with the floor
  // 1e-4 the pool is √(1e-4·.99) : √(1·.01), by hand.
  const FaceAnalysis a = combined({age_head(30, 0, 0.0f, "a"), age_head(30, 0, 0.99f, "b")});
  const double male = std::sqrt(1e-4 * 0.99), female = std::sqrt(1.0 * 0.01);
  EXPECT_EQ(*a.gender, "female");
  EXPECT_NEAR(a.gender_probability, female / (male + female), 1e-5);
}

TEST(AnalyzeCombine, TheShippedCombinationParsesAndNamesItsRecipe) {
  const AnalysisCombination& c = default_combination();
  EXPECT_FALSE(c.recipe.empty());
  EXPECT_EQ(c.gender.classes.size(), 2u);
  EXPECT_EQ(c.race.bias.size(), 5u);
  EXPECT_FALSE(c.age.bands.empty());
  const AnalysisCombination again = parse_combination(combination_json(c), "round trip");
  EXPECT_EQ(again.age.weights, c.age.weights);
  EXPECT_EQ(again.emotion.bias, c.emotion.bias);
}

TEST(AnalyzeCombine, ABadCombinationIsOneErrorNamingIt) {
  using Json = nlohmann::ordered_json;
  const Json good = Json::parse(combination_json(equal_weights()));
  EXPECT_THROW(parse_combination("{", "bad.json"), Error);
  const std::vector<std::function<void(Json&)>> breakages = {
      [](Json& j) { j["gender"]["weights"]["a"] = -0.5; },
      [](Json& j) { j["race"]["bias"] = {0}; },
      [](Json& j) { j["gender"]["classes"] = {"man", "woman"}; },
      [](Json& j) { j["age"]["bands"][0]["up_to"] = 4000; },
      [](Json& j) { j.erase("emotion"); },
      [](Json& j) { j["age"]["weights"]["b"] = "heavy"; }};
  for (size_t i = 0; i < breakages.size(); ++i) {
    Json bad = good;
    breakages[i](bad);
    try {
      parse_combination(bad.dump(), "bad.json");
      ADD_FAILURE() << "accepted breakage " << i;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
    }
  }
}

TEST(AnalyzeCombine, DisagreementLowersConfidence) {
  const FaceAnalysis agree = combined({age_head(30, 2, 0.9f), age_head(31, 2, 0.9f)});
  const FaceAnalysis disagree = combined({age_head(20, 2, 0.9f), age_head(60, 2, 0.1f)});
  EXPECT_GT(agree.confidence, 0.9f);
  EXPECT_LT(disagree.confidence, agree.confidence - 0.4f);
}

TEST(AnalyzeCombine, EmotionAgreementIsOneMinusTotalVariation) {
  HeadAnalysis happy, sad;
  happy.head = "a";
  happy.emotion = EmotionDistribution{0, 0, 0, 1, 0, 0, 0};
  sad.head = "b";
  sad.emotion = EmotionDistribution{0, 0, 0, 0.5f, 0.5f, 0, 0};
  const FaceAnalysis a = combined({happy, sad});
  EXPECT_NEAR(a.agreement.at("emotion"), 0.5f, 1e-6);
  // The geometric pool: happy √(1·.5), sad √(1e-4·.5), the others 1e-4.
  const double h = std::sqrt(0.5), s = std::sqrt(0.5e-4), sum = h + s + 5 * 1e-4;
  EXPECT_NEAR((*a.emotion)[3], h / sum, 1e-6);
  EXPECT_NEAR((*a.emotion)[4], s / sum, 1e-6);
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
  analyze::combine({Action::kGender}, {}, a, equal_weights());
  EXPECT_FALSE(a.age);
  EXPECT_TRUE(a.gender);
}

}  // namespace
}  // namespace facekit
