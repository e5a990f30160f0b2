// --far through the Engine: verify, find and cluster decide with the card's
// FAR-table threshold for the target, and requests that cannot be served are
// refused before any image is read.
#include <gtest/gtest.h>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "testing.h"

using namespace facekit;

namespace {

class EngineFarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!facekit::testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
  }
  Engine engine_{{.threads = 1}};
};

TEST_F(EngineFarTest, ChoosesTheTablesThresholdAtOrBelowTheTarget) {
  const RecognitionRequest request;  // the default recognizer and its metric
  const Calibration c = load_calibration(engine_.card_of(request).model, engine_.metric_of(request));
  ASSERT_TRUE(c.far_thresholds.count("1e-3")) << "the default recognizer's card has no FAR 1e-3 entry";
  for (double target : {1e-3, 5e-3}) {  // 5e-3 lies between 1e-3 and 1e-2: the 1e-3 entry
    const Engine::ThresholdChoice choice = engine_.threshold_of(request, std::nullopt, target);
    EXPECT_EQ(choice.threshold, c.far_thresholds.at("1e-3")) << target;
    EXPECT_EQ(choice.source, c.source + ", FAR 1e-3");
  }
  const auto samples = facekit::testing::zoo_model("faceapi-samples")->parent_path();
  VerifyRequest verify;
  verify.far = 1e-3;
  const VerifyResult r = engine_.verify(read_named_image((samples / "sample1.jpg").string()),
                                        read_named_image((samples / "sample2.jpg").string()), verify);
  EXPECT_EQ(r.decision.threshold, c.far_thresholds.at("1e-3"));
  EXPECT_EQ(r.decision.verified, r.decision.distance <= r.decision.threshold);
  EXPECT_EQ(r.threshold_source, c.source + ", FAR 1e-3");
}

TEST_F(EngineFarTest, RefusesWhatItCannotServe) {
  const RecognitionRequest request;
  EXPECT_NE(facekit::testing::error_of([&] { engine_.threshold_of(request, 0.5, 1e-3); }).find("--far: cannot be combined"),
            std::string::npos);
  EXPECT_NE(facekit::testing::error_of([&] { engine_.threshold_of(request, std::nullopt, 0); }).find("(0, 1)"),
            std::string::npos);
  EXPECT_NE(facekit::testing::error_of([&] { engine_.threshold_of(request, std::nullopt, 1e-9); }).find("goes down to"),
            std::string::npos);
  VerifyRequest verify;
  verify.far = 1.5;
  EXPECT_NE(facekit::testing::error_of([&] { engine_.prepare(verify); }).find("(0, 1)"), std::string::npos);
  ClusterRequest cluster;
  cluster.threshold = 0.3;
  cluster.far = 1e-3;
  EXPECT_NE(facekit::testing::error_of([&] { engine_.prepare(cluster); }).find("--far"), std::string::npos);
}

}  // namespace
