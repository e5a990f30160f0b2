// The Analyzer on bad input: tiny faces, faces cut by the image border or
// outside it, grey images, wrong pixel formats. A result with lower
// confidence or a clear refusal, never a crash. Also: analysing faces as one
// batch gives what analysing them one by one gives.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "facekit/analyze.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

const std::filesystem::path kCrop = testing::source_dir() / "tests/golden/analyze/crop-2.png";

// A 480×360 canvas with the golden face crop (160×160) pasted at `at`, and
// the face's box (the crop's middle 100×100) in canvas pixels, with quality.
struct Scene {
  cv::Mat rgb;
  Face face;
};

Scene scene(cv::Point at) {
  const cv::Mat crop = read_image(kCrop.string());
  Scene s{cv::Mat(360, 480, CV_8UC3, cv::Scalar(90, 110, 130)), {}};
  const cv::Rect target = cv::Rect(at, crop.size()) & cv::Rect(0, 0, s.rgb.cols, s.rgb.rows);
  crop(cv::Rect(target.tl() - at, target.size())).copyTo(s.rgb(target));
  s.face.box = cv::Rect2f(at.x + 30.f, at.y + 30.f, 100, 100);
  s.face.score = 0.99f;
  assess_quality(s.rgb, s.face);
  return s;
}

// Every head's zoo model; facekit's own head is compiled in and loads the
// recognizer and landmarker it embeds with.
bool all_installed() {
  for (const auto& id : head_ids())
    if (id != "facekit-attributes" && !testing::zoo_model(id)) return false;
  return testing::zoo_model("mobilefacenet-tflite") && testing::zoo_model("faceapi-landmark68");
}

#define SKIP_UNLESS_HEADS_INSTALLED() \
  if (!all_installed()) GTEST_SKIP() << "attribute models not installed: run `facekit models install`"

Analyzer& analyzer() {
  static Analyzer a;
  return a;
}

void expect_complete(const FaceAnalysis& a) {
  ASSERT_TRUE(a.refused.empty()) << a.refused;
  ASSERT_TRUE(a.age && a.gender && a.emotion && a.real_probability);
  EXPECT_TRUE(std::isfinite(a.age->years) && std::isfinite(a.age->uncertainty));
  EXPECT_EQ(a.race.size(), 5u);
  EXPECT_EQ(a.heads.size(), head_ids().size());
  EXPECT_GE(a.confidence, 0.f);
  EXPECT_LE(a.confidence, 1.f);
}

TEST(AnalyzeRobustness, AWholeFaceIsAnalysed) {
  SKIP_UNLESS_HEADS_INSTALLED();
  const Scene s = scene({160, 100});
  const auto results = analyzer().analyze(s.rgb, {s.face});
  ASSERT_EQ(results.size(), 1u);
  expect_complete(results[0]);
  EXPECT_FALSE(results[0].grayscale);
  EXPECT_GT(results[0].confidence, 0.2f);
  // Three age heads, three gender heads, two emotion heads, two P(live) views.
  EXPECT_EQ(results[0].agreement.size(), 4u);
}

TEST(AnalyzeRobustness, TinyFacesAreRefused) {
  SKIP_UNLESS_HEADS_INSTALLED();
  Scene s = scene({160, 100});
  s.face.box = cv::Rect2f(200, 150, 10, 12);
  const auto results = analyzer().analyze(s.rgb, {s.face});
  EXPECT_NE(results[0].refused.find("too small"), std::string::npos) << results[0].refused;
  EXPECT_FALSE(results[0].age);
  EXPECT_TRUE(results[0].heads.empty());
}

TEST(AnalyzeRobustness, FacesCutByTheBorderLoseConfidence) {
  SKIP_UNLESS_HEADS_INSTALLED();
  const Scene whole = scene({160, 100});
  const Scene cut = scene({-70, -60});  // the box hangs 40 px over the left and 30 px over the top
  const auto a = analyzer().analyze(whole.rgb, {whole.face});
  const auto b = analyzer().analyze(cut.rgb, {cut.face});
  expect_complete(b[0]);
  EXPECT_LT(b[0].confidence, a[0].confidence);
}

TEST(AnalyzeRobustness, FacesOutsideTheImageOrNotFiniteAreRefused) {
  SKIP_UNLESS_HEADS_INSTALLED();
  Scene s = scene({160, 100});
  Face outside = s.face, nan_box = s.face;
  outside.box.x = 1000;
  nan_box.box.width = NAN;
  const auto results = analyzer().analyze(s.rgb, {outside, nan_box, s.face});
  EXPECT_NE(results[0].refused.find("outside"), std::string::npos) << results[0].refused;
  EXPECT_NE(results[1].refused.find("not finite"), std::string::npos) << results[1].refused;
  expect_complete(results[2]);
}

TEST(AnalyzeRobustness, AbsurdBoxesAreRefusedOrAnalysedWithoutCrashing) {
  SKIP_UNLESS_HEADS_INSTALLED();
  Scene s = scene({160, 100});
  Face negative = s.face, huge = s.face, astronomical = s.face;
  negative.box.width = -50;
  huge.box = cv::Rect2f(-1e6f, -1e6f, 2e6f, 2e6f);
  astronomical.box = cv::Rect2f(-1e30f, -1e30f, 3e30f, 3e30f);  // past int range
  const auto results = analyzer().analyze(s.rgb, {negative, huge, astronomical});
  EXPECT_NE(results[0].refused.find("too small"), std::string::npos) << results[0].refused;
  expect_complete(results[1]);
  EXPECT_LT(results[1].confidence, 0.01f);  // almost all of its crop lies outside the image
  ASSERT_TRUE(results[2].refused.empty()) << results[2].refused;
  EXPECT_LT(results[2].confidence, 0.01f);
}

TEST(AnalyzeRobustness, GreyImagesAreFlaggedWithLowerConfidence) {
  SKIP_UNLESS_HEADS_INSTALLED();
  Scene s = scene({160, 100});
  cv::Mat grey;
  cv::cvtColor(s.rgb, grey, cv::COLOR_RGB2GRAY);
  cv::cvtColor(grey, s.rgb, cv::COLOR_GRAY2RGB);
  assess_quality(s.rgb, s.face);
  const auto results = analyzer().analyze(s.rgb, {s.face});
  expect_complete(results[0]);
  EXPECT_TRUE(results[0].grayscale);
  EXPECT_LE(results[0].confidence, 0.75f);
}

TEST(AnalyzeRobustness, BadImagesThrowAndNoFacesGiveNothing) {
  SKIP_UNLESS_HEADS_INSTALLED();
  const Scene s = scene({160, 100});
  EXPECT_THROW(analyzer().analyze(cv::Mat(), {s.face}), Error);
  EXPECT_THROW(analyzer().analyze(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0)), {s.face}), Error);
  EXPECT_TRUE(analyzer().analyze(s.rgb, {}).empty());
}

TEST(AnalyzeRobustness, ABatchEqualsOneByOne) {
  SKIP_UNLESS_HEADS_INSTALLED();
  const Scene s = scene({160, 100});
  Face left = s.face, right = s.face;
  left.box.x -= 20;
  right.box.x += 15;
  right.box.width = 80;
  const auto batch = analyzer().analyze(s.rgb, {left, right});
  const auto one = analyzer().analyze(s.rgb, {right});
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_NEAR(batch[1].age->years, one[0].age->years, 1e-3);
  EXPECT_NEAR(batch[1].gender_probability, one[0].gender_probability, 1e-5);
  for (size_t k = 0; k < kEmotionNames.size(); ++k) EXPECT_NEAR((*batch[1].emotion)[k], (*one[0].emotion)[k], 1e-5);
  EXPECT_NEAR(batch[1].confidence, one[0].confidence, 1e-5);
}

TEST(AnalyzeActions, ParseNamesAndRefusesUnknown) {
  EXPECT_EQ(parse_actions("age,emotion,age"), (std::vector<Action>{Action::kAge, Action::kEmotion}));
  EXPECT_THROW(parse_actions("age,height"), Error);
  EXPECT_THROW(parse_actions(""), Error);
  try {
    parse_actions("age,height");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("height"), std::string::npos);
  }
}

TEST(AnalyzeActions, OnlyTheNeededHeadsAreLoaded) {
  SKIP_UNLESS_HEADS_INSTALLED();
  AnalyzeOptions options;
  options.actions = {Action::kEmotion};
  Analyzer emotion(options);
  EXPECT_EQ(emotion.heads(), (std::vector<std::string>{"faceapi-expression", "human-emotion"}));
  const Scene s = scene({160, 100});
  const auto results = emotion.analyze(s.rgb, {s.face});
  EXPECT_TRUE(results[0].emotion);
  EXPECT_FALSE(results[0].age);
  EXPECT_FALSE(results[0].gender);
}

}  // namespace
}  // namespace facekit
