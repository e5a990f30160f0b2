// The human-models recognizers end to end against @vladmandic/human 3.3.6's
// own face pipeline (human.detect with blazeface, face mesh and faceres, in
// Node: tools/oracle/human_pipeline.mjs): the same photo in, facekit's
// embed_faces (the human-blazeface detector, the `human` crop, faceres) per
// face against human's faceres descriptor, cosine ≥ 0.999. Faces are matched
// by box IoU: human reports the square it cut, re-centred on the mesh
// (facemeshutil.calculateFaceBox) and clipped to the image (clampBox), so
// facekit's box is compared as that square (human_square,
// image/human_cut.h), clipped alike.
//   - face-api's six sample photos: tests/data/human-pipeline.json, made by
//     the oracle from the lossless 640 px copies in tests/golden/detect-faceapi/;
//   - LFW View 1 images (../shared/data/lfw-view1; LFW data stays out of the
//     repository): the oracle runs here, on the pixels facekit decoded
//     (written as PPM), when node, human and the data are present; skipped
//     otherwise. Each image once: human reuses the previous image's boxes for
//     an image it finds unchanged (face.detector.skipFrames).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/align.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "image/human_cut.h"
#include "pipeline_oracle.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

constexpr double kMinCosine = 0.999;

cv::Rect2f rect(const nlohmann::json& box) { return {box[0], box[1], box[2], box[3]}; }

// facemeshutil.clampBox: the corners clipped to the image, then truncated.
cv::Rect2f clamped(const cv::Rect2f& box, const cv::Mat& rgb) {
  const float left = std::max(0.f, box.x), top = std::max(0.f, box.y);
  const float right = std::min<float>(rgb.cols, box.x + box.width), bottom = std::min<float>(rgb.rows, box.y + box.height);
  return {std::trunc(left), std::trunc(top), std::trunc(right - left), std::trunc(bottom - top)};
}

std::optional<std::string> human_node_unavailable() {
  if (testing::run_command("node --version").first != 0) return "node is not installed";
  if (!fs::exists(testing::source_dir() / "tools" / "oracle" / "node_modules" / "@vladmandic" / "human"))
    return "@vladmandic/human is not installed (cd tools/oracle && npm ci)";
  return std::nullopt;
}

class HumanPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"human-blazeface", "human-facemesh", "human-faceres"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    detector_ = make_detector("human-blazeface");
    recognizer_ = make_recognizer("faceres", {.flip = false, .alignment = "human"});  // human never flips
  }

  // Every face human found in `image` (an entry of the oracle's output)
  // against facekit's face of highest IoU; returns the worst cosine.
  double compare(const cv::Mat& rgb, const nlohmann::json& image) {
    // human has no padded retry.
    EmbedFacesOptions as_human;
    as_human.retry_padded = std::nullopt;
    std::vector<FaceEmbedding> got = embed_faces(rgb, detector_.get(), *recognizer_, nullptr, as_human);
    for (FaceEmbedding& e : got) e.face.box = clamped(human_square(e.face.box), rgb);
    std::vector<testing::ReferenceFace> want;
    for (const auto& face : image["faces"]) want.push_back({rect(face["box"]), face["embedding"].get<std::vector<float>>()});
    return testing::worst_cosine_to_reference(got, want, 0.8f, kMinCosine, image["image"], "human");
  }

  std::unique_ptr<Detector> detector_;
  std::unique_ptr<Recognizer> recognizer_;
};

TEST_F(HumanPipeline, SamplePhotosEmbedAsHumanDoes) {
  const auto [worst, faces] = testing::compare_with_golden_file(
      "human-pipeline.json", 6, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  EXPECT_GE(faces, 20u);
  std::cout << "[ human ] " << faces << " faces of the sample photos: worst cosine to human's " << std::setprecision(7)
            << worst << "\n";
}

TEST_F(HumanPipeline, LfwImagesEmbedAsHumanDoes) {
  const auto data = testing::shared_data_dir();
  if (!data || !fs::exists(*data / "lfw-view1" / "pairsDevTest.txt"))
    GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
  if (const auto why = human_node_unavailable()) GTEST_SKIP() << *why;

  const size_t count = std::getenv("FACEKIT_HUMAN_LFW_IMAGES") ? std::stoul(std::getenv("FACEKIT_HUMAN_LFW_IMAGES")) : 8;
  const fs::path lfw = *data / "lfw-view1";
  std::vector<fs::path> images;
  std::set<fs::path> seen;
  for (const fs::path& image : testing::lfw_devtest_images(lfw, 2 * count))
    if (images.size() < count && seen.insert(image).second) images.push_back(image);
  const testing::OracleRun run = testing::run_pipeline_oracle("human_pipeline.mjs", "", images);
  if (run.pixels.empty()) return;  // the failure is reported
  const auto [worst, faces] = testing::compare_with_oracle_run(
      run, [&](const cv::Mat& rgb, const nlohmann::json& image) { return compare(rgb, image); });
  EXPECT_GE(faces, images.size());
  std::cout << "[ human ] " << faces << " faces of " << images.size() << " LFW images: worst cosine to human's "
            << std::setprecision(7) << worst << "\n";
}

TEST_F(HumanPipeline, DetectorRefusesBadImagesAndFindsNothingInAFlatOne) {
  EXPECT_THROW(detector_->detect(cv::Mat()), Error);
  EXPECT_THROW(detector_->detect(cv::Mat(64, 64, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_TRUE(detector_->detect(cv::Mat(200, 200, CV_8UC3, cv::Scalar(128, 128, 128))).empty());
  EXPECT_EQ(detector_->name(), "human-blazeface");
}

// The square by hand: box (10, 20, 40 × 30), centre (30, 35); 1.4 × 40 = 56,
// half 28: corners (2, 7) and (58, 63).
TEST(HumanCrop, SquareIsEnlargedAndRoundedAsJavaScriptDoes) {
  EXPECT_EQ(human_square({10, 20, 40, 30}), cv::Rect2f(2, 7, 56, 56));
  // Centre 10.25, half 0.7 · 5 = 3.5: 6.75 and 13.75 round to 7 and 14.
  EXPECT_EQ(human_square({7.75f, 7.75f, 5, 5}), cv::Rect2f(7, 7, 7, 7));
  // The longer side: a tall box gives a square of 1.4 × its height.
  EXPECT_EQ(human_square({10, 20, 30, 40}), cv::Rect2f(-3, 12, 56, 56));
}

TEST(HumanCrop, CutsTheSquareBlackOutsideTheImage) {
  // A 100 × 100 grey image; the box's square (−20, −20, 56 × 56) half outside.
  const cv::Mat rgb(100, 100, CV_8UC3, cv::Scalar(90, 120, 150));
  Face face;
  face.box = {-12, -12, 40, 40};
  ASSERT_EQ(named_template("human", 224).kind, AlignKind::kHuman);
  const cv::Mat crop = align_face(rgb, face, named_template("human", 192));
  ASSERT_EQ(crop.size(), cv::Size(192, 192));
  EXPECT_EQ(crop.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(crop.at<cv::Vec3b>(191, 191), cv::Vec3b(90, 120, 150));
  EXPECT_EQ(align_face(rgb, face, named_template("human", 224)).size(), cv::Size(224, 224));
  EXPECT_THROW(align_face(rgb, face, named_template("human", 192), {.margin = 0.1f}), Error);
  face.box = {500, 500, 40, 40};
  EXPECT_NE(testing::error_of([&] { align_face(rgb, face, named_template("human", 192)); }).find("no pixel"),
            std::string::npos);
  face.box = {10, 10, 0, 40};
  EXPECT_THROW(align_face(rgb, face, named_template("human", 192)), Error);
}

}  // namespace
}  // namespace facekit
