// Fitting the heads' combination on faces drawn from a known model: the fit
// recovers the temperature that model implies, gives an uninformative head
// no vote, and states an age σ that is the quantile the noise has.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "facekit/combination_fit.h"
#include "facekit/error.h"

namespace facekit::eval {
namespace {

constexpr size_t kFaces = 3000;

struct Drawn {
  std::vector<LabelledFace> faces;
  std::vector<FaceOutcome> outcomes;
};

// Gender: true log-odds s ~ N(0, 3²), the label drawn with P(male) = σ(s);
// "sharp" reports σ(2s) (over-confident by 2), "noise" σ(N(0, 1)) unrelated to
// the face. Age: truth uniform in 1..80; "close" says truth + N(0, 3²),
// "noise" uniform 0..100.
Drawn draw() {
  std::mt19937 random(7);
  std::normal_distribution<double> normal(0, 1);
  std::uniform_int_distribution<int> age(1, 80);
  std::uniform_real_distribution<double> uniform(0, 1);
  const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  Drawn d;
  for (size_t i = 0; i < kFaces; ++i) {
    const double s = 3 * normal(random);
    LabelledFace face;
    face.image = "face" + std::to_string(i) + ".jpg";
    face.gender = uniform(random) < sigmoid(s) ? 0 : 1;
    face.age = age(random);
    FaceOutcome o;
    o.sources["sharp"].male_probability = static_cast<float>(sigmoid(2 * s));
    o.sources["sharp"].age = static_cast<float>(*face.age + 3 * normal(random));
    o.sources["noise"].male_probability = static_cast<float>(sigmoid(normal(random)));
    o.sources["noise"].age = static_cast<float>(100 * uniform(random));
    o.sources[kCombinedSource].male_probability = 0.5f;  // never fitted on
    d.faces.push_back(face);
    d.outcomes.push_back(o);
  }
  return d;
}

TEST(CombinationFit, RecoversTheTemperatureAndDropsTheUninformativeHead) {
  const Drawn d = draw();
  const CombinationFit fit = fit_combination(d.faces, d.outcomes);
  const ClassPooling& g = fit.combination.gender;
  // logit of the pool = w · logit(p_sharp) + (b_male − b_female) = w · 2s: the truth's s at w = 1/2.
  EXPECT_NEAR(g.weights.at("sharp"), 0.5, 0.05);
  EXPECT_EQ(g.weights.at("noise"), 0);
  EXPECT_NEAR(g.bias[1] - g.bias[0], 0, 0.15);
  EXPECT_FALSE(g.weights.count(kCombinedSource));
  const AgePooling& a = fit.combination.age;
  EXPECT_NEAR(a.weights.at("sharp"), 1, 0.03);
  EXPECT_EQ(a.weights.at("noise"), 0);
  EXPECT_NEAR(a.intercept, 0, 1.5);
  // |N(0, 3²)| has its 68.27 % quantile at 3 (the middle bands hold ~400 faces each).
  for (const AgeBand& band : a.bands) {
    if (band.up_to > 20 && band.up_to <= 60) {
      EXPECT_NEAR(band.sigma, 3, 0.45) << "band up to " << band.up_to;
    }
  }
  ASSERT_EQ(fit.attributes.size(), 2u);
  EXPECT_EQ(fit.attributes[0].name, "age");
  EXPECT_EQ(fit.attributes[0].dropped, std::vector<std::string>{"noise"});
  EXPECT_EQ(fit.attributes[1].dropped, std::vector<std::string>{"noise"});
}

TEST(CombinationFit, AnAttributeWithTooFewFacesKeepsItsStart) {
  Drawn d = draw();
  d.faces.resize(kMinFitFaces - 1);
  d.outcomes.resize(kMinFitFaces - 1);
  AnalysisCombination start;
  start.gender = {{"male", "female"}, {{"x", 0.7}}, {0.1, 0}};
  start.age.bands = {{1000, 5}};
  const CombinationFit fit = fit_combination(d.faces, d.outcomes, start);
  EXPECT_TRUE(fit.attributes.empty());
  EXPECT_EQ(fit.combination.gender.weights, start.gender.weights);
  EXPECT_THROW(fit_combination(d.faces, {}), Error);
}

}  // namespace
}  // namespace facekit::eval
