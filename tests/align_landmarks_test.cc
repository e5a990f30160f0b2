// face-api's 68-point landmark nets against face-api itself: on the faces
// face-api's SSD found in the six sample photos (the boxes of
// tests/golden/detect-faceapi.json, so the detector's own small differences
// stay out of this test), facekit's points against face-api's
// withFaceLandmarks() points.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/align.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

nlohmann::json golden() {
  std::ifstream in(testing::source_dir() / "tests" / "golden" / "detect-faceapi.json");
  return nlohmann::json::parse(in);
}

cv::Mat read_rgb(const std::string& relative) {
  return read_image((testing::source_dir() / "tests" / "golden" / relative).string());
}

// face-api shifts its points by the box's corner, facekit by the corner of
// the crop the net saw (the box clipped at 0 and floored): the offset
// between the two, to compare like with like.
cv::Point2f faceapi_offset(const cv::Rect2f& box) {
  return {std::floor(std::max(0.0f, box.x)) - box.x, std::floor(std::max(0.0f, box.y)) - box.y};
}

struct Case {
  std::string landmarker, model, golden_key, executor;
};

class FaceapiLandmarks : public ::testing::TestWithParam<Case> {};

// The same pixels go in, so only float rounding differs: the worst point
// seen is 8e-5 px off (both executors, both nets).
constexpr float kTolerancePx = 1e-3f;

TEST_P(FaceapiLandmarks, MatchFaceapi) {
  const Case& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(model, c.model);
  DetectOptions options;
  options.executor = c.executor;
  auto landmarker = make_landmarker(c.landmarker, options);
  float worst = 0;
  int faces = 0;
  const nlohmann::json all = golden();
  for (const auto& image : all["images"]) {
    const cv::Mat rgb = read_rgb(image["image"]);
    for (const auto& want : image["ssd"]) {
      Face face;
      const auto& b = want["box"];
      face.box = cv::Rect2f(b[0], b[1], b[2], b[3]);
      face.score = want["score"];
      landmarker->locate(rgb, face);
      ASSERT_EQ(face.landmarks68.size(), 68u);
      ASSERT_EQ(face.landmarks.size(), 5u);  // derived from the 68
      const cv::Point2f offset = faceapi_offset(face.box);
      const auto& points = want[c.golden_key];
      for (int i = 0; i < 68; ++i) {
        const cv::Point2f expected(points[i][0].get<float>() + offset.x, points[i][1].get<float>() + offset.y);
        const float d = static_cast<float>(cv::norm(face.landmarks68[i] - expected));
        worst = std::max(worst, d);
        EXPECT_LT(d, kTolerancePx) << image["image"] << " face at " << b << " point " << i;
      }
      ++faces;
    }
  }
  EXPECT_GT(faces, 10);
  std::cout << "[ faceapi ] " << c.landmarker << " (" << c.executor << "), " << faces
            << " faces: worst point distance to face-api's " << worst << " px\n";
}

INSTANTIATE_TEST_SUITE_P(FullAndTiny, FaceapiLandmarks,
                         ::testing::Values(Case{"faceapi-68", "faceapi-landmark68", "landmarks68", "fast"},
                                           Case{"faceapi-68", "faceapi-landmark68", "landmarks68", "reference"},
                                           Case{"faceapi-68-tiny", "faceapi-landmark68-tiny", "landmarks68_tiny", "fast"},
                                           Case{"faceapi-68-tiny", "faceapi-landmark68-tiny", "landmarks68_tiny",
                                                "reference"}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.landmarker + "_" + info.param.executor;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(FaceapiLandmarks, KeepsGivenFiveLandmarksAndSkipsFacesOutsideTheImage) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "faceapi-landmark68-tiny");
  auto landmarker = make_landmarker("faceapi-68-tiny");
  const cv::Mat grey(100, 120, CV_8UC3, cv::Scalar(128, 128, 128));
  Face given;
  given.box = cv::Rect2f(-20, 10, 80, 150);  // past the left and bottom edges
  given.landmarks = std::vector<cv::Point2f>(5, cv::Point2f(1, 2));
  landmarker->locate(grey, given);
  EXPECT_EQ(given.landmarks68.size(), 68u);
  EXPECT_EQ(given.landmarks, std::vector<cv::Point2f>(5, cv::Point2f(1, 2)));

  for (const cv::Rect2f box : {cv::Rect2f(500, 10, 50, 50), cv::Rect2f(10, 10, 0.5f, 50), cv::Rect2f(NAN, 0, 10, 10)}) {
    Face outside;
    outside.box = box;
    landmarker->locate(grey, outside);
    EXPECT_TRUE(outside.landmarks68.empty());
    EXPECT_TRUE(outside.landmarks.empty());
  }
  EXPECT_THROW(landmarker->locate(cv::Mat(), given), Error);
}

TEST(FaceapiLandmarks, UnknownNameIsAnError) {
  EXPECT_THROW(make_landmarker("dlib-68"), Error);
}

TEST(Landmarks5From68, TakesEyeCentresNoseTipAndMouthCorners) {
  std::vector<cv::Point2f> p(68);
  for (int i = 0; i < 68; ++i) p[i] = cv::Point2f(static_cast<float>(i), static_cast<float>(2 * i));
  const auto five = landmarks5_from_68(p);
  ASSERT_EQ(five.size(), 5u);
  EXPECT_EQ(five[kLeftEye], cv::Point2f(38.5f, 77));
  EXPECT_EQ(five[kRightEye], cv::Point2f(44.5f, 89));
  EXPECT_EQ(five[kNose], p[30]);
  EXPECT_EQ(five[kLeftMouth], p[48]);
  EXPECT_EQ(five[kRightMouth], p[54]);
  EXPECT_THROW(landmarks5_from_68({}), Error);
}

}  // namespace
}  // namespace facekit
