// A fused model (`--model mobilefacenet+faceapi`, include/facekit/fusion.h)
// in the Engine: request validation; verify's probability is the card's
// logistic of the members' own distances (each member's embedding as
// represent gives it); a gallery enrolled with the fusion holds each member's
// vectors and find names each person from both, its fused distance the
// card's logistic of the two members' distances to that person.
#include <gtest/gtest.h>

#include <filesystem>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/fusion.h"
#include "facekit/gallery.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFused = "mobilefacenet+faceapi";

using facekit::testing::error_of;

TEST(EngineFusion, RequestsAreValidatedBeforeAnyModelLoads) {
  RecognitionRequest r;
  r.model = kFused;
  r.metric = "cosine";
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("--metric does not apply to a fusion"), std::string::npos);
  r.metric.clear();
  r.flip = true;
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("--flip does not apply"), std::string::npos);
  r.flip.reset();
  r.alignment = "dlib";
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("--alignment does not apply"), std::string::npos);
  r.alignment.clear();
  r.model = "mobilefacenet+nosuch";
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("member 'nosuch' is not a recognizer"), std::string::npos);
  r.model = "faceapi+faceapi";
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("twice"), std::string::npos);
  r.model = "faceres+mobileface";
  EXPECT_NE(error_of([&] { Engine::fused_request(r); }).find("facekit calibrate --model faceres+mobileface"),
            std::string::npos)
      << "no card fuses these";

  Engine engine({.threads = 1});
  RepresentRequest represent;
  represent.recognition.model = kFused;
  EXPECT_NE(error_of([&] { engine.prepare(represent); }).find("a fused model gives no single embedding"),
            std::string::npos);
  VerifyRequest verify;
  verify.recognition.model = kFused;
  verify.threshold = 1.5;
  EXPECT_NE(error_of([&] { engine.verify({"a", cv::Mat()}, {"b", cv::Mat()}, verify); }).find("--threshold"),
            std::string::npos)
      << "a fused distance lies in [0, 1]";
}

class EngineFusionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "faceapi-landmark68",
                           "mobilefacenet-tflite", "faceapi-recognition"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    samples_ = testing::zoo_model("faceapi-samples")->parent_path();
    card_ = fusion_card(kFused);
    fused_.model = kFused;
    members_ = Engine::fused_request(fused_).members;
  }

  NamedImage sample(int n) const { return read_named_image((samples_ / ("sample" + std::to_string(n) + ".jpg")).string()); }

  // Each member's embedding of the face of an image verify takes (the request's --face), as represent gives it.
  std::vector<std::vector<float>> member_embeddings(const NamedImage& image) {
    std::vector<std::vector<float>> out;
    for (const RecognitionRequest& member : members_) {
      RepresentRequest r;
      r.recognition = member;
      r.one_face = true;
      out.push_back(engine_.represent(image, r).faces.at(0).embedding);
    }
    return out;
  }

  fs::path samples_;
  FusionCard card_;
  RecognitionRequest fused_;
  std::vector<RecognitionRequest> members_;
  Engine engine_{{.threads = 1}};
};

TEST_F(EngineFusionTest, VerifyGivesTheCardsLogisticOfTheMembersDistances) {
  VerifyRequest request;
  request.recognition = fused_;
  for (auto [a, b] : {std::pair{1, 1}, std::pair{1, 2}}) {
    const NamedImage image_a = sample(a), image_b = sample(b);
    const VerifyResult r = engine_.verify(image_a, image_b, request);
    const auto ea = member_embeddings(image_a), eb = member_embeddings(image_b);
    std::vector<double> d;
    for (size_t k = 0; k < card_.members.size(); ++k) d.push_back(distance(ea[k], eb[k], card_.members[k].metric));
    ASSERT_EQ(r.members.size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_EQ(r.members[k].model, card_.members[k].model);
      EXPECT_NEAR(r.members[k].distance, d[k], 1e-12);
    }
    const double p = fused_probability(card_, d);
    EXPECT_NEAR(*r.decision.probability_same, p, 1e-12);
    EXPECT_NEAR(r.decision.distance, 1 - p, 1e-12);
    EXPECT_EQ(r.decision.threshold, 1 - card_.threshold);
    EXPECT_EQ(r.metric, "fusion");
    EXPECT_EQ(r.model, card_.name);
    if (a == b) {
      EXPECT_TRUE(r.decision.verified) << "a photo against itself";
    }
  }
}

TEST_F(EngineFusionTest, AGalleryEnrolledWithAFusionFindsEachPersonFromBothModels) {
  const testing::TempDir dir("engine_fusion");
  const fs::path people = dir.path / "people";
  for (int n : {1, 2, 3}) {
    fs::create_directories(people / ("P" + std::to_string(n)));
    fs::copy_file(samples_ / ("sample" + std::to_string(n) + ".jpg"), people / ("P" + std::to_string(n)) / "a.jpg");
  }
  EnrollRequest enroll;
  enroll.folder = people.string();
  enroll.db = (dir.path / "people.db").string();
  enroll.recognition = fused_;
  const EnrollResult enrolled = engine_.enroll(enroll);
  EXPECT_EQ(enrolled.model, kFused);
  EXPECT_EQ(enrolled.added, 3);
  EXPECT_EQ(enrolled.vectors, 3);

  // Each member's vectors, under the member's own gallery key.
  const Gallery gallery(enroll.db);
  std::vector<std::vector<StoredVector>> stored;
  for (const RecognitionRequest& member : members_) {
    const std::string key = member.model + (*member.flip ? "+flip" : "");
    stored.push_back(gallery.vectors(key));
    EXPECT_EQ(stored.back().size(), 3u) << key;
  }

  FindRequest find;
  find.db = enroll.db;
  find.recognition = fused_;
  for (int n : {1, 2, 3}) {
    const NamedImage image = sample(n);
    const FindResult r = engine_.find(image, find);
    EXPECT_EQ(r.metric, "fusion");
    EXPECT_EQ(r.threshold, 1 - card_.threshold);
    // The face enroll took (the default --face) is the person enrolled from this photo.
    std::vector<Face> faces;
    for (const auto& f : r.faces) faces.push_back(f.face);
    const FoundFace& enrolled = r.faces[*choose_face(faces, image.rgb.size(), parse_face_choice(kDefaultFace))];
    const std::string person = "P" + std::to_string(n);
    EXPECT_EQ(enrolled.identification.identity, person);
    // Its fused distance: each member's distance to that person's stored vector.
    const auto query = member_embeddings(image);
    std::vector<double> d;
    for (size_t k = 0; k < card_.members.size(); ++k)
      for (const StoredVector& v : stored[k])
        if (v.identity == person) d.push_back(distance(query[k], v.vector, card_.members[k].metric));
    ASSERT_EQ(d.size(), 2u);
    EXPECT_NEAR(enrolled.identification.distance, fused_distance(card_, d), 1e-6);
    EXPECT_TRUE(enrolled.identification.calibrated);
  }
}

}  // namespace
}  // namespace facekit
