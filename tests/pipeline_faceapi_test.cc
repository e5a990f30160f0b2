// The `faceapi` recognizer end to end against face-api's own pipeline
// (detectAllFaces → withFaceLandmarks → withFaceDescriptors, in Node): the
// same photo in, facekit's embed_faces (ssd, faceapi-68, face-api's crop) per
// face against face-api's descriptor, faces matched by box IoU, cosine ≥ 0.999.
//   - face-api's six sample photos: tests/data/faceapi-pipeline.json, made by
//     tools/oracle/faceapi_pipeline.mjs from the lossless 640 px copies in
//     tests/golden/detect-faceapi/ (tools/oracle/README.md);
//   - LFW View 1 images (../shared/data/lfw-view1; LFW data stays out of the
//     repository): the oracle runs here, on the pixels facekit decoded
//     (written as PPM), when node, face-api and the data are present;
//     skipped otherwise.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "pipeline_oracle.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

constexpr double kMinCosine = 0.999;

cv::Rect2f rect(const nlohmann::json& box) { return {box[0], box[1], box[2], box[3]}; }

class FaceapiPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-ssd-mobilenetv1", "faceapi-landmark68", "faceapi-recognition"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    detector_ = make_detector("ssd");
    landmarker_ = make_landmarker("faceapi-68");
    recognizer_ = make_recognizer("faceapi", {.flip = false, .alignment = "faceapi"});  // face-api never flips
  }

  // Every face face-api found in `image` (an entry of the oracle's output)
  // against facekit's face of highest IoU; returns the worst cosine.
  double compare(const cv::Mat& rgb, const nlohmann::json& image) {
    // face-api has no padded retry: facekit's may find a face where it finds none.
    EmbedFacesOptions as_faceapi;
    as_faceapi.retry_padded = std::nullopt;
    const std::vector<FaceEmbedding> got = embed_faces(rgb, detector_.get(), *recognizer_, landmarker_.get(), as_faceapi);
    std::vector<testing::ReferenceFace> want;
    for (const auto& face : image["faces"]) want.push_back({rect(face["box"]), face["descriptor"].get<std::vector<float>>()});
    return testing::worst_cosine_to_reference(got, want, 0.9f, kMinCosine, image["image"], "face-api");
  }

  std::unique_ptr<Detector> detector_;
  std::unique_ptr<Landmarker> landmarker_;
  std::unique_ptr<Recognizer> recognizer_;
};

TEST_F(FaceapiPipeline, SamplePhotosEmbedAsFaceapiDoes) {
  const auto [worst, faces] = testing::compare_with_golden_file(
      "faceapi-pipeline.json", 6, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  EXPECT_GE(faces, 20u);
  std::cout << "[ faceapi ] " << faces << " faces of the sample photos: worst cosine to face-api's " << worst << "\n";
}

TEST_F(FaceapiPipeline, LfwImagesEmbedAsFaceapiDoes) {
  const auto data = testing::shared_data_dir();
  if (!data || !fs::exists(*data / "lfw-view1" / "pairsDevTest.txt"))
    GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
  if (const auto why = testing::faceapi_node_unavailable()) GTEST_SKIP() << *why;

  const fs::path lfw = *data / "lfw-view1";
  // tfjs' wasm backend: several times faster than the cpu one, its float
  // arithmetic a little different (far below the tolerance).
  const std::vector<fs::path> images = testing::lfw_devtest_images(lfw, 8);
  const testing::OracleRun run = testing::run_pipeline_oracle("faceapi_pipeline.mjs", "--backend=wasm", images);
  if (run.pixels.empty()) return;  // the failure is reported
  const auto [worst, faces] = testing::compare_with_oracle_run(
      run, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  std::cout << "[ faceapi ] " << faces << " faces of " << images.size()
            << " LFW images: worst cosine to face-api's " << worst << "\n";
}

TEST(FaceapiCrop, NeedsThe68LandmarksAndNoMargin) {
  const cv::Mat rgb(200, 200, CV_8UC3, cv::Scalar(90, 120, 150));
  Face face;
  face.box = {50, 50, 100, 100};
  face.landmarks = {{80, 90}, {120, 90}, {100, 110}, {85, 130}, {115, 130}};
  EXPECT_THROW(align_face(rgb, face, faceapi_template()), Error);
  face.landmarks68.assign(68, cv::Point2f(100, 100));
  for (int i = 36; i < 42; ++i) face.landmarks68[i] = {80, 90};
  for (int i = 42; i < 48; ++i) face.landmarks68[i] = {120, 90};
  for (int i = 48; i < 68; ++i) face.landmarks68[i] = {100, 130};
  const cv::Mat crop = align_face(rgb, face, faceapi_template());
  EXPECT_EQ(crop.size(), cv::Size(150, 150));
  EXPECT_EQ(crop.type(), CV_8UC3);
  EXPECT_EQ(crop.at<cv::Vec3b>(75, 75), cv::Vec3b(90, 120, 150));
  EXPECT_THROW(align_face(rgb, face, faceapi_template(), {.margin = 0.1f}), Error);
}

TEST(FaceapiCrop, IsFaceapisSquareByHand) {
  // Eyes at (80, 90) and (120, 90), mouth centre at (100, 130): eye-to-mouth
  // distance √(20² + 40²) = 44.72, side ⌊44.72 / 0.45⌋ = 99; centre (100,
  // 103.33): x = ⌊100 − 49.5⌋ = 50, y = ⌊103.33 − 42.57⌋ = 60. The image is
  // black with the pixels (50, 60) and (148, 158) — the square's corners — set.
  cv::Mat rgb(300, 300, CV_8UC3, cv::Scalar::all(0));
  rgb.at<cv::Vec3b>(60, 50) = {255, 255, 255};
  rgb.at<cv::Vec3b>(158, 148) = {200, 200, 200};
  rgb.at<cv::Vec3b>(60, 49) = {255, 0, 0};  // just outside: never read
  Face face;
  face.box = {40, 40, 150, 150};  // whole pixels: no shift between the conventions
  face.landmarks68.assign(68, cv::Point2f(100, 100));
  for (int i = 36; i < 42; ++i) face.landmarks68[i] = {80, 90};
  for (int i = 42; i < 48; ++i) face.landmarks68[i] = {120, 90};
  for (int i = 48; i < 68; ++i) face.landmarks68[i] = {100, 130};
  const AlignTemplate same_size = named_template("faceapi", 99);  // no resampling
  ASSERT_EQ(same_size.kind, AlignKind::kFaceapi);
  const cv::Mat crop = align_face(rgb, face, same_size);
  ASSERT_EQ(crop.size(), cv::Size(99, 99));
  EXPECT_EQ(crop.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(crop.at<cv::Vec3b>(98, 98), cv::Vec3b(200, 200, 200));
  EXPECT_EQ(cv::countNonZero(crop.reshape(1)), 6);
}

}  // namespace
}  // namespace facekit
