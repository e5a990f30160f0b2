// Detector options are checked where every detector is made (issue 14, item
// 7): `detect --threshold nan` used to be accepted.
#include <gtest/gtest.h>

#include <limits>

#include "facekit/detect.h"
#include "facekit/error.h"

namespace facekit {
namespace {

TEST(DetectOptionRange, ScoreThresholdAndOverlapAreUnitIntervalOrTheDefault) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float ok : {-1.f, 0.f, 0.5f, 1.f}) {
    EXPECT_NO_THROW(check_detect_options({.score_threshold = ok})) << ok;
    EXPECT_NO_THROW(check_detect_options({.nms_iou = ok})) << ok;
  }
  for (float bad : {nan, -0.5f, -2.f, 1.01f, 1e30f, std::numeric_limits<float>::infinity()}) {
    EXPECT_THROW(check_detect_options({.score_threshold = bad}), Error) << bad;
    EXPECT_THROW(check_detect_options({.nms_iou = bad}), Error) << bad;
  }
}

TEST(DetectOptionRange, OtherOptions) {
  EXPECT_THROW(check_detect_options({.min_face = 0}), Error);
  EXPECT_THROW(check_detect_options({.min_face = std::numeric_limits<float>::quiet_NaN()}), Error);
  EXPECT_THROW(check_detect_options({.max_faces = -1}), Error);
  EXPECT_THROW(check_detect_options({.executor = "turbo"}), Error);
  EXPECT_THROW(check_detect_options({.threads = -1}), Error);
  EXPECT_NO_THROW(check_detect_options({.threads = 100000}));  // capped where applied (limits.h)
}

TEST(DetectOptionRange, MakeDetectorChecksBeforeLoadingAnyModel) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const auto& name : detector_names()) {
    try {
      make_detector(name, {.score_threshold = nan});
      ADD_FAILURE() << name << ": NaN threshold accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("score threshold"), std::string::npos) << name << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace facekit
