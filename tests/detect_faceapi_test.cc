// face-api's SSD-MobileNetV1 and TinyFaceDetector against face-api itself:
// tests/golden/detect-faceapi.json holds what face-api 1.7.15 (tfjs, Node)
// found on the six sample photos (made by
// tools/oracle/make_golden_detect_faceapi.mjs), read from the same lossless
// PNGs facekit reads here.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "detect/faceapi_input.h"
#include "facekit/detect.h"
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

cv::Rect2f rect(const nlohmann::json& box) { return {box[0], box[1], box[2], box[3]}; }

struct Case {
  std::string detector;  // facekit's name; the golden key is the same
  std::string model;
  std::string executor;
  size_t images = 6;  // the reference executor is slow on SSD: the first few only
};

class FaceapiDetector : public ::testing::TestWithParam<Case> {};

TEST_P(FaceapiDetector, FindsWhatFaceapiFinds) {
  const Case& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(model, c.model);
  DetectOptions options;
  options.executor = c.executor;
  auto detector = make_detector(c.detector, options);
  EXPECT_EQ(detector->name(), c.detector);
  float worst_iou = 1, worst_score = 0;
  const nlohmann::json all = golden();
  ASSERT_EQ(all["images"].size(), 6u);
  for (size_t n = 0; n < c.images; ++n) {
    const auto& image = all["images"][n];
    const cv::Mat rgb = read_rgb(image["image"]);
    ASSERT_EQ(rgb.cols, image["width"].get<int>());
    ASSERT_EQ(rgb.rows, image["height"].get<int>());
    const auto& want = image[c.detector];
    const std::vector<Face> got = detector->detect(rgb);
    ASSERT_EQ(got.size(), want.size()) << image["image"];
    for (size_t i = 0; i + 1 < got.size(); ++i) EXPECT_GE(got[i].score, got[i + 1].score);
    for (const auto& w : want) {
      // Each of face-api's faces against the facekit face overlapping it most.
      const cv::Rect2f wb = rect(w["box"]);
      const auto best = std::max_element(got.begin(), got.end(), [&](const Face& a, const Face& b) {
        return iou(a.box, wb) < iou(b.box, wb);
      });
      const float overlap = iou(best->box, wb);
      EXPECT_GE(overlap, 0.9f) << image["image"] << " face at " << w["box"];
      EXPECT_NEAR(best->score, w["score"].get<float>(), 1e-3) << image["image"] << " face at " << w["box"];
      worst_iou = std::min(worst_iou, overlap);
      worst_score = std::max(worst_score, std::abs(best->score - w["score"].get<float>()));
    }
  }
  std::cout << "[ faceapi ] " << c.detector << " (" << c.executor << "): worst IoU " << worst_iou
            << ", worst |score - face-api's| " << worst_score << "\n";
}

INSTANTIATE_TEST_SUITE_P(SsdAndTiny, FaceapiDetector,
                         ::testing::Values(Case{"ssd", "faceapi-ssd-mobilenetv1", "fast"},
                                           Case{"ssd", "faceapi-ssd-mobilenetv1", "reference", 2},
                                           Case{"tiny", "faceapi-tiny-face-detector", "fast"},
                                           Case{"tiny", "faceapi-tiny-face-detector", "reference"}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.detector + "_" + info.param.executor;
                         });

TEST(FaceapiDetector, OptionsOverrideThresholdsAndCount) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "faceapi-tiny-face-detector");
  const auto image = golden()["images"][0];
  const cv::Mat rgb = read_rgb(image["image"]);
  DetectOptions strict;
  strict.score_threshold = 0.99f;
  EXPECT_TRUE(make_detector("tiny", strict)->detect(rgb).empty());
  DetectOptions one;
  one.max_faces = 1;
  const auto faces = make_detector("tiny", one)->detect(rgb);
  ASSERT_EQ(faces.size(), 1u);
  EXPECT_NEAR(faces[0].score, image["tiny"][0]["score"].get<float>(), 1e-3);
}

TEST(FaceapiDetector, RejectsEmptyAndNonRgbImages) {
  FACEKIT_ZOO_MODEL_OR_SKIP(model, "faceapi-tiny-face-detector");
  auto detector = make_detector("tiny");
  EXPECT_THROW(detector->detect(cv::Mat()), Error);
  EXPECT_THROW(detector->detect(cv::Mat(64, 64, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_THROW(detector->detect(cv::Mat(64, 64, CV_32FC3, cv::Scalar(0))), Error);
  // Tiny and extreme shapes run and find nothing.
  EXPECT_TRUE(detector->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar(90, 90, 90))).empty());
  EXPECT_TRUE(detector->detect(cv::Mat(3, 500, CV_8UC3, cv::Scalar(90, 90, 90))).empty());
}

// face-api's toBatchTensor on a 3 × 2 image to a 4 × 4 input: padded on the
// right to 3 × 3, then TF's legacy bilinear resize, which reads output (r, c)
// at source (0.75 r, 0.75 c) between the floor and the (clamped) ceil.
TEST(FaceapiInput, PadsAndResizesAsTensorFlowDoes) {
  cv::Mat rgb(3, 2, CV_8UC3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 2; ++x) rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(10 * (3 * y + x), 0, 255);
  const nn::Tensor t = faceapi_input(rgb, 4, false);
  ASSERT_EQ(t.shape(), (nn::Shape{1, 4, 4, 3}));
  const float* p = t.data<float>();
  const auto red = [&](int r, int c) { return p[(r * 4 + c) * 3]; };
  // The padded red channel: rows [0 10 0], [30 40 0], [60 70 0].
  EXPECT_FLOAT_EQ(red(0, 0), 0);
  EXPECT_FLOAT_EQ(red(0, 1), 7.5f);   // column 0.75
  EXPECT_FLOAT_EQ(red(0, 2), 5);      // column 1.5: half way to the padding
  EXPECT_FLOAT_EQ(red(0, 3), 0);      // column 2.25 clamps to the last column
  EXPECT_FLOAT_EQ(red(1, 1), 30);     // rows 0 and 1 at 0.75: 7.5 and 37.5
  EXPECT_FLOAT_EQ(red(2, 0), 45);     // row 1.5
  EXPECT_FLOAT_EQ(red(3, 0), 60);     // row 2.25 clamps to the last row
  EXPECT_FLOAT_EQ(p[2], 255);         // blue at (0, 0)
  EXPECT_FLOAT_EQ(p[(0 * 4 + 3) * 3 + 2], 0);

  // Centred (the landmark nets): a 5 × 2 image gets round(3 / 2) = 2 columns
  // after it and 1 before; at the input size nothing is resampled.
  const nn::Tensor c = faceapi_input(cv::Mat(5, 2, CV_8UC3, cv::Scalar(9, 9, 9)), 5, true);
  const float* q = c.data<float>();
  for (int x = 0; x < 5; ++x) EXPECT_FLOAT_EQ(q[(2 * 5 + x) * 3], x == 1 || x == 2 ? 9 : 0) << "column " << x;

  // A region of a larger image is padded with zeros, not its surroundings.
  const cv::Mat larger(6, 6, CV_8UC3, cv::Scalar(200, 200, 200));
  const nn::Tensor roi = faceapi_input(larger(cv::Rect(2, 1, 2, 4)), 4, true);
  EXPECT_FLOAT_EQ(roi.data<float>()[0], 0);
  EXPECT_FLOAT_EQ(roi.data<float>()[3], 200);

  EXPECT_EQ(faceapi_scaled_size({640, 427}, 512), cv::Size(512, 342));
  EXPECT_THROW(faceapi_input(cv::Mat(), 4, false), Error);
}

}  // namespace
}  // namespace facekit
