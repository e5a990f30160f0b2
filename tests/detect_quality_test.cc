// Face quality: each measure moves the right way with the property it
// measures, stays in [0, 1], and overall is their product with the score.
#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "facekit/detect.h"
#include "facekit/error.h"

namespace facekit {
namespace {

// A 112×112 RGB image of grey noise around `mean` with standard deviation
// `spread`, the same every run.
cv::Mat noise(double mean, double spread) {
  cv::Mat grey(112, 112, CV_8UC1);
  cv::RNG rng(42);
  rng.fill(grey, cv::RNG::NORMAL, mean, spread);
  cv::Mat rgb;
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  return rgb;
}

FaceQuality quality_of(const cv::Mat& rgb, cv::Rect2f box = {0, 0, 112, 112}, float score = 1,
                       std::vector<cv::Point2f> landmarks = {}) {
  Face face;
  face.box = box;
  face.score = score;
  face.landmarks = std::move(landmarks);
  assess_quality(rgb, face);
  return face.quality;
}

// Eyes, nose, mouth corners of an upright frontal face in a 112 box.
std::vector<cv::Point2f> frontal() { return {{38, 50}, {74, 50}, {56, 70}, {42, 88}, {70, 88}}; }

TEST(DetectQuality, SharperIsSharper) {
  const cv::Mat sharp = noise(128, 40);
  cv::Mat blurred;
  cv::GaussianBlur(sharp, blurred, {0, 0}, 3);
  const float s = quality_of(sharp).sharpness, b = quality_of(blurred).sharpness;
  EXPECT_GT(s, 0.9f);
  EXPECT_LT(b, s - 0.3f);
  EXPECT_GE(b, 0.0f);
}

TEST(DetectQuality, DarkAndBrightAreLessBright) {
  const float mid = quality_of(noise(128, 20)).brightness;
  const float dark = quality_of(noise(30, 20)).brightness;
  const float bright = quality_of(noise(230, 20)).brightness;
  EXPECT_GT(mid, 0.95f);
  EXPECT_LT(dark, mid - 0.5f);
  EXPECT_LT(bright, mid - 0.5f);
  EXPECT_NEAR(quality_of(cv::Mat(50, 50, CV_8UC3, cv::Scalar::all(0)), {0, 0, 50, 50}).brightness, 0.0f, 1e-6);
  EXPECT_NEAR(quality_of(cv::Mat(50, 50, CV_8UC3, cv::Scalar::all(255)), {0, 0, 50, 50}).brightness, 0.0f, 1e-6);
}

TEST(DetectQuality, FlatIsWithoutContrastOrDetail) {
  const FaceQuality flat = quality_of(cv::Mat(112, 112, CV_8UC3, cv::Scalar::all(128)));
  EXPECT_NEAR(flat.contrast, 0.0f, 1e-6);
  EXPECT_NEAR(flat.sharpness, 0.0f, 1e-6);
  EXPECT_GT(quality_of(noise(128, 50)).contrast, quality_of(noise(128, 10)).contrast + 0.3f);
}

TEST(DetectQuality, SizeIsRelativeTo112Pixels) {
  const cv::Mat image = noise(128, 30);
  EXPECT_FLOAT_EQ(quality_of(image, {0, 0, 56, 80}).size, 0.5f);
  EXPECT_FLOAT_EQ(quality_of(image, {-50, -50, 300, 300}).size, 1.0f);
}

TEST(DetectQuality, PoseFromLandmarks) {
  const cv::Mat image = noise(128, 30);
  EXPECT_FLOAT_EQ(quality_of(image).pose, 1.0f);  // no landmarks: not held against the face
  EXPECT_NEAR(quality_of(image, {0, 0, 112, 112}, 1, frontal()).pose, 1.0f, 1e-6);

  auto turned = frontal();
  turned[kNose].x = 65;  // halfway from the middle to the right eye
  EXPECT_NEAR(quality_of(image, {0, 0, 112, 112}, 1, turned).pose, 0.5f, 1e-5);
  turned[kNose].x = 80;  // past the eye: a profile
  EXPECT_FLOAT_EQ(quality_of(image, {0, 0, 112, 112}, 1, turned).pose, 0.0f);

  std::vector<cv::Point2f> rolled;  // the frontal face turned 45° in the image plane
  const cv::Matx23f rotation = cv::getRotationMatrix2D({56, 56}, 45, 1);
  cv::transform(frontal(), rolled, rotation);
  EXPECT_NEAR(quality_of(image, {0, 0, 112, 112}, 1, rolled).pose, std::cos(CV_PI / 4), 1e-4);

  auto same_eyes = frontal();
  same_eyes[kRightEye] = same_eyes[kLeftEye];
  EXPECT_FLOAT_EQ(quality_of(image, {0, 0, 112, 112}, 1, same_eyes).pose, 0.0f);
}

TEST(DetectQuality, OverallIsTheProductWithTheScore) {
  const FaceQuality q = quality_of(noise(100, 30), {10, 10, 90, 90}, 0.8f, frontal());
  for (float m : {q.size, q.sharpness, q.brightness, q.contrast, q.pose, q.overall}) {
    EXPECT_GE(m, 0.0f);
    EXPECT_LE(m, 1.0f);
  }
  EXPECT_FLOAT_EQ(q.overall, 0.8f * q.size * q.sharpness * q.brightness * q.contrast * q.pose);
  EXPECT_GT(q.overall, 0.1f);
}

TEST(DetectQuality, Deterministic) {
  const FaceQuality a = quality_of(noise(90, 25), {5, 7, 60, 70}, 0.9f, frontal());
  const FaceQuality b = quality_of(noise(90, 25), {5, 7, 60, 70}, 0.9f, frontal());
  EXPECT_EQ(a.sharpness, b.sharpness);
  EXPECT_EQ(a.overall, b.overall);
}

TEST(DetectQuality, BoxOutsideTheImageMeasuresNothing) {
  const FaceQuality q = quality_of(noise(128, 30), {500, 500, 100, 100});
  EXPECT_EQ(q.sharpness, 0.0f);
  EXPECT_EQ(q.brightness, 0.0f);
  EXPECT_EQ(q.contrast, 0.0f);
  EXPECT_EQ(q.overall, 0.0f);
}

TEST(DetectQuality, RefusesOtherPixelFormats) {
  Face face;
  EXPECT_THROW(assess_quality(cv::Mat(), face), Error);
  EXPECT_THROW(assess_quality(cv::Mat(10, 10, CV_8UC1), face), Error);
}

}  // namespace
}  // namespace facekit
