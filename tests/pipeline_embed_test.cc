// embed_faces (include/facekit/pipeline.h) on face-api's sample1.jpg: one
// embedding per detected face, of the recognizer's dimension, with the crop it
// was computed from; the same face moved and rescaled on a canvas keeps its
// embedding; largest-only and whole-image modes; a faceless image gives
// nothing; misuse is an Error.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "testing.h"

namespace facekit {
namespace {

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

EmbedFacesOptions options(bool detect, std::optional<FaceChoice> one_face) {
  EmbedFacesOptions o;
  o.detect = detect;
  o.one_face = one_face;
  return o;
}

class EmbedFacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "faceapi-ssd-mobilenetv1", "faceapi-landmark68", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    photo_ = read_image(testing::zoo_model("faceapi-samples")->parent_path().append("sample1.jpg").string());
    detector_ = make_detector("ssd");
    landmarker_ = make_landmarker("faceapi-68");
    recognizer_ = make_recognizer("mobilefacenet");
  }

  std::vector<FaceEmbedding> embed(const cv::Mat& rgb, const EmbedFacesOptions& options = {}) {
    return embed_faces(rgb, detector_.get(), *recognizer_, landmarker_.get(), options);
  }

  cv::Mat photo_;
  std::unique_ptr<Detector> detector_;
  std::unique_ptr<Landmarker> landmarker_;
  std::unique_ptr<Recognizer> recognizer_;
};

TEST_F(EmbedFacesTest, OneEmbeddingPerDetectedFace) {
  const auto faces = embed(photo_);
  // tests/data/faces-labelled.json: sample1.jpg holds 3 to 5 faces.
  ASSERT_GE(faces.size(), 3u);
  EXPECT_EQ(faces.size(), detector_->detect(photo_).size());
  for (const auto& f : faces) {
    EXPECT_EQ(f.embedding.size(), static_cast<size_t>(recognizer_->dimension()));
    EXPECT_EQ(f.face.landmarks.size(), 5u) << "SSD gives no landmarks: the landmarker must have run";
    EXPECT_EQ(f.face.landmarks68.size(), 68u);
    // The crop is the one embedded: embedding it again gives the same vector.
    ASSERT_EQ(f.crop.type(), CV_8UC3);
    EXPECT_GT(cosine(recognizer_->embed(f.crop), f.embedding), 0.9999);
  }
  // Different people are not alike.
  EXPECT_LT(cosine(faces[0].embedding, faces[1].embedding), 0.6);
}

TEST_F(EmbedFacesTest, SameFaceMovedAndRescaledKeepsItsEmbedding) {
  const auto original = embed(photo_, options(true, FaceChoice::kLargest));
  ASSERT_EQ(original.size(), 1u);
  cv::Mat small;
  cv::resize(photo_, small, cv::Size(), 0.8, 0.8, cv::INTER_AREA);
  cv::Mat canvas(photo_.rows, photo_.cols + 200, CV_8UC3, cv::Scalar(90, 90, 90));
  small.copyTo(canvas(cv::Rect(137, 61, small.cols, small.rows)));
  const auto moved = embed(canvas, options(true, FaceChoice::kLargest));
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_NEAR(moved[0].face.box.x, 137 + 0.8 * original[0].face.box.x, 0.1 * moved[0].face.box.width);
  EXPECT_GT(cosine(original[0].embedding, moved[0].embedding), 0.9);
}

// A photo's first face pasted twice on a grey canvas, large in the top-left
// corner and small at the centre: each choice keeps its own one.
TEST_F(EmbedFacesTest, OneFaceKeepsTheChosenFace) {
  const auto first = embed(photo_).at(0).face.box;
  const cv::Rect region =
      cv::Rect(cv::Rect2f(first.x - first.width / 2, first.y - first.height / 2, first.width * 2, first.height * 2)) &
      cv::Rect(0, 0, photo_.cols, photo_.rows);
  cv::Mat canvas(600, 600, CV_8UC3, cv::Scalar(128, 128, 128)), large, small;
  cv::resize(photo_(region), large, {200, 200 * region.height / region.width});
  cv::resize(photo_(region), small, {120, 120 * region.height / region.width});
  large.copyTo(canvas(cv::Rect(0, 0, large.cols, large.rows)));
  small.copyTo(canvas(cv::Rect(300 - small.cols / 2, 300 - small.rows / 2, small.cols, small.rows)));
  ASSERT_GE(embed(canvas).size(), 2u) << "both copies are found";

  const auto centre_of = [](const Face& f) { return cv::Point2f(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2); };
  const auto central = embed(canvas, options(true, FaceChoice::kCenter));
  ASSERT_EQ(central.size(), 1u);
  EXPECT_LT(cv::norm(centre_of(central[0].face) - cv::Point2f(300, 300)), 40);
  const auto largest = embed(canvas, options(true, FaceChoice::kLargest));
  ASSERT_EQ(largest.size(), 1u);
  EXPECT_LT(centre_of(largest[0].face).x, 200);
  EXPECT_LT(centre_of(largest[0].face).y, 200);
}

TEST_F(EmbedFacesTest, LargestOnlyKeepsTheLargestBox) {
  const auto all = embed(photo_);
  const auto largest = embed(photo_, options(true, FaceChoice::kLargest));
  ASSERT_EQ(largest.size(), 1u);
  std::vector<Face> faces;
  for (const auto& f : all) faces.push_back(f.face);
  const size_t k = *largest_face(faces);
  EXPECT_EQ(largest[0].face.box, all[k].face.box);
  EXPECT_EQ(largest[0].embedding, all[k].embedding);
  EXPECT_FALSE(largest_face({}).has_value());
}

TEST_F(EmbedFacesTest, WithoutDetectionTheWholeImageIsTheFace) {
  const auto faces = embed(photo_);
  const cv::Rect box(faces[0].face.box & cv::Rect2f(0, 0, photo_.cols, photo_.rows));
  const cv::Mat crop = photo_(box).clone();
  const auto whole = embed_faces(crop, nullptr, *recognizer_, landmarker_.get(), options(false, std::nullopt));
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].face.box, cv::Rect2f(0, 0, crop.cols, crop.rows));
  EXPECT_GT(cosine(whole[0].embedding, faces[0].embedding), 0.9);
}

TEST_F(EmbedFacesTest, FacelessImageGivesNothing) {
  const cv::Mat grey(480, 640, CV_8UC3, cv::Scalar(128, 128, 128));
  EXPECT_TRUE(embed(grey).empty());
}

TEST_F(EmbedFacesTest, MisuseIsAnError) {
  EXPECT_THROW(embed_faces(photo_, nullptr, *recognizer_), Error);  // detection on, no detector
  EXPECT_THROW(embed(cv::Mat()), Error);
  EXPECT_THROW(embed_faces(cv::Mat(), nullptr, *recognizer_, nullptr, options(false, std::nullopt)), Error);
}

}  // namespace
}  // namespace facekit
