// BlazeFace detectors against an independent implementation: the faces in
// tests/golden/detect-blazeface.json come from MediaPipe's post-processing
// written in JavaScript around other runtimes (tools/oracle/make_golden_detect_blazeface.mjs).
#include <cmath>
#include <algorithm>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/detect.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include <opencv2/imgproc.hpp>
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

// Faces scoring this close to the detector's threshold may fall on either
// side of it after small pixel differences (JPEG decoders, rounding).
constexpr float kBorderline = 0.05f;

float threshold_of(const std::string& detector) { return detector == "blazeface-short" ? 0.5f : 0.6f; }

// The sample photo `name` as 8-bit RGB.
cv::Mat sample_photo(const fs::path& first_sample, const std::string& name) {
  return read_image((first_sample.parent_path() / name).string());
}

cv::Point2f point(const nlohmann::json& p) { return {p[0].get<float>(), p[1].get<float>()}; }

class BlazeFaceGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(BlazeFaceGolden, MatchesIndependentDecoding) {
  const std::string name = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(model, name);
  FACEKIT_ZOO_MODEL_OR_SKIP(first_sample, "faceapi-samples");
  std::ifstream in(testing::source_dir() / "tests" / "golden" / "detect-blazeface.json");
  const auto golden = nlohmann::json::parse(in);
  auto detector = make_detector(name);
  int compared = 0;
  float worst_iou = 1, worst_keypoint = 0, worst_score = 0;  // printed: the margins under the tolerances
  for (const auto& entry : golden["detectors"]) {
    if (entry["name"] != name) continue;
    for (const auto& image : entry["images"]) {
      const std::string file = image["image"];
      SCOPED_TRACE(name + " on " + file);
      const auto faces = detector->detect(sample_photo(first_sample, file));
      std::vector<bool> matched(faces.size(), false);
      for (const auto& want : image["faces"]) {
        const auto& b = want["box"];
        const cv::Rect2f box(b[0], b[1], b[2], b[3]);
        int best = -1;
        for (size_t i = 0; i < faces.size(); ++i)
          if (best < 0 || iou(faces[i].box, box) > iou(faces[best].box, box)) best = static_cast<int>(i);
        const float want_score = want["score"];
        if (best < 0 || iou(faces[best].box, box) < 0.5f) {
          EXPECT_LT(want_score, threshold_of(name) + kBorderline) << "missed the face at " << box;
          continue;
        }
        matched[best] = true;
        const Face& got = faces[best];
        EXPECT_GE(iou(got.box, box), 0.95f) << got.box << " vs " << box;
        EXPECT_NEAR(got.score, want_score, 0.03f);
        worst_iou = std::min(worst_iou, iou(got.box, box));
        worst_score = std::max(worst_score, std::abs(got.score - want_score));
        // Keypoints within 2% of the face's width (under a pixel of the network input).
        const float tolerance = 0.02f * box.width;
        const auto& k = want["keypoints"];
        ASSERT_EQ(got.landmarks.size(), 5u);
        EXPECT_LE(cv::norm(got.landmarks[kLeftEye] - point(k[0])), tolerance);
        EXPECT_LE(cv::norm(got.landmarks[kRightEye] - point(k[1])), tolerance);
        EXPECT_LE(cv::norm(got.landmarks[kNose] - point(k[2])), tolerance);
        const cv::Point2f mouth = (got.landmarks[kLeftMouth] + got.landmarks[kRightMouth]) / 2;
        EXPECT_LE(cv::norm(mouth - point(k[3])), tolerance);
        for (auto [mark, index] : {std::pair{got.landmarks[kLeftEye], 0}, {got.landmarks[kRightEye], 1},
                                   {got.landmarks[kNose], 2}, {mouth, 3}})
          worst_keypoint = std::max(worst_keypoint, static_cast<float>(cv::norm(mark - point(k[index]))) / box.width);
        ++compared;
      }
      for (size_t i = 0; i < faces.size(); ++i)
        if (!matched[i]) {
          EXPECT_LT(faces[i].score, threshold_of(name) + kBorderline) << "extra face " << faces[i].box;
        }
    }
  }
  EXPECT_GE(compared, 12) << "too few faces compared for " << name;
  std::cout << "[ golden ] " << name << ": " << compared << " faces, worst IoU " << worst_iou
            << ", worst keypoint error " << worst_keypoint << " face widths, worst score difference " << worst_score
            << "\n";
}

INSTANTIATE_TEST_SUITE_P(Detectors, BlazeFaceGolden, ::testing::Values("blazeface-short", "blazeface-full"));

TEST(BlazeFace, LandmarksAreInImageOrderAndMouthCornersFlankTheMouth) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "blazeface-short");
  FACEKIT_ZOO_MODEL_OR_SKIP(sample, "faceapi-samples");
  const auto faces = make_detector("blazeface-short")->detect(sample_photo(sample, "sample3.jpg"));
  ASSERT_FALSE(faces.empty());
  for (const Face& f : faces) {
    const auto& m = f.landmarks;
    EXPECT_LT(m[kLeftEye].x, m[kRightEye].x);
    EXPECT_LT(m[kLeftMouth].x, m[kRightMouth].x);
    EXPECT_GT(m[kLeftMouth].y, m[kNose].y);
    EXPECT_GT(m[kNose].y, (m[kLeftEye].y + m[kRightEye].y) / 2);
    EXPECT_TRUE(f.box.contains(m[kNose]));
  }
}

TEST(BlazeFace, OptionsLimitAndFilterFaces) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "blazeface-full");
  FACEKIT_ZOO_MODEL_OR_SKIP(sample, "faceapi-samples");
  const cv::Mat photo = sample_photo(sample, "sample5.jpg");
  DetectOptions options;
  options.max_faces = 2;
  const auto two = make_detector("blazeface-full", options)->detect(photo);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_GE(two[0].score, two[1].score);
  options.max_faces = 0;
  options.score_threshold = 0.99f;
  EXPECT_TRUE(make_detector("blazeface-full", options)->detect(photo).empty());
}

TEST(BlazeFace, RejectsBadImagesAndSurvivesTinyOnes) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "blazeface-short");
  auto detector = make_detector("blazeface-short");
  EXPECT_THROW(detector->detect(cv::Mat()), Error);
  EXPECT_THROW(detector->detect(cv::Mat(64, 64, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_TRUE(detector->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(128))).empty());
  EXPECT_TRUE(detector->detect(cv::Mat(3, 2000, CV_8UC3, cv::Scalar::all(128))).empty());
}

}  // namespace
}  // namespace facekit
