// Thresholds must be distances the metric can give (issue 14, item 7): a
// calibration file with threshold 1e308 used to make every pair "SAME
// person", and `verify --threshold -1` was accepted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <fstream>
#include <limits>

#include "facekit/error.h"
#include "facekit/match.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

using facekit::testing::error_of;

TEST(ThresholdRange, EachMetricsDistanceRange) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (Metric m : {Metric::kCosine, Metric::kEuclideanL2}) {
    EXPECT_NO_THROW(check_threshold(0, m, "t"));
    EXPECT_NO_THROW(check_threshold(0.4, m, "t"));
    EXPECT_NO_THROW(check_threshold(2, m, "t"));
    for (double bad : {-1.0, -1e-9, 2.0001, 1e308, nan, inf}) EXPECT_THROW(check_threshold(bad, m, "t"), Error) << bad;
  }
  EXPECT_NO_THROW(check_threshold(0.6, Metric::kEuclidean, "t"));
  EXPECT_NO_THROW(check_threshold(40, Metric::kEuclidean, "t"));
  for (double bad : {-1.0, nan, inf}) EXPECT_THROW(check_threshold(bad, Metric::kEuclidean, "t"), Error) << bad;
  EXPECT_NE(error_of([] { check_threshold(-1, Metric::kCosine, "--threshold"); }).find("--threshold"),
            std::string::npos);
}

TEST(ThresholdRange, VerifyRefusesAUserThresholdOutsideTheRange) {
  const std::vector<float> a = {1, 0}, b = {0, 1};
  Calibration none;
  EXPECT_THROW(verify(a, b, Metric::kCosine, -1.0, none), Error);
  EXPECT_THROW(verify(a, b, Metric::kCosine, 1e308, none), Error);
  EXPECT_FALSE(verify(a, b, Metric::kCosine, 0.5, none).verified);  // distance 1
}

TEST(ThresholdRange, CalibrationFileWithAnAbsurdThresholdIsRefusedNamingTheFile) {
  testing::TempDir models("calibration_range");
  const char* previous = std::getenv("FACEKIT_MODELS");
  const std::string saved = previous ? previous : "";
  setenv("FACEKIT_MODELS", models.path.c_str(), 1);
  std::filesystem::create_directories(models.path / "calibration");
  const auto file = models.path / "calibration" / "mymodel.json";
  for (const char* body : {R"({"thresholds": {"cosine": {"threshold": 1e308}}})",
                           R"({"thresholds": {"cosine": {"threshold": -0.5}}})",
                           R"({"thresholds": {"cosine": {"threshold": 0.4, "far": {"1e-3": 7}}}})"}) {
    std::ofstream(file) << body;
    const std::string message = error_of([] { load_calibration("mymodel", Metric::kCosine); });
    EXPECT_NE(message.find(file.string()), std::string::npos) << body << " → '" << message << "'";
  }
  std::ofstream(file) << R"({"thresholds": {"cosine": {"threshold": 0.4}}})";
  EXPECT_DOUBLE_EQ(*load_calibration("mymodel", Metric::kCosine).threshold, 0.4);
  if (previous)
    setenv("FACEKIT_MODELS", saved.c_str(), 1);
  else
    unsetenv("FACEKIT_MODELS");
}

}  // namespace
}  // namespace facekit
