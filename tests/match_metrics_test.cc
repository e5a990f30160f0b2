// Matching: metrics on hand-computed vectors, the logistic fit recovering
// known parameters, verification and the calibration store.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>

#include <unistd.h>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/match.h"

namespace fs = std::filesystem;
using namespace facekit;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Metrics, NamesRoundTripAndUnknownListsKnown) {
  for (const auto& name : metric_names()) EXPECT_EQ(metric_name(parse_metric(name)), name);
  const std::string e = error_of([] { parse_metric("manhattan"); });
  EXPECT_NE(e.find("manhattan"), std::string::npos) << e;
  EXPECT_NE(e.find("euclidean_l2"), std::string::npos) << e;
}

TEST(Metrics, HandComputedDistances) {
  const std::vector<float> x{1, 0}, y{0, 1}, a{3, 4}, b{6, 8}, minus{-2, 0};
  EXPECT_NEAR(distance(x, y, Metric::kCosine), 1, 1e-12);
  EXPECT_NEAR(distance(x, y, Metric::kEuclidean), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(distance(x, y, Metric::kEuclideanL2), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(distance(a, b, Metric::kCosine), 0, 1e-12);
  EXPECT_NEAR(distance(a, b, Metric::kEuclidean), 5, 1e-12);
  EXPECT_NEAR(distance(a, b, Metric::kEuclideanL2), 0, 1e-7);
  EXPECT_NEAR(distance(x, minus, Metric::kCosine), 2, 1e-12);
  EXPECT_NEAR(distance(x, minus, Metric::kEuclidean), 3, 1e-12);
  EXPECT_NEAR(distance(x, minus, Metric::kEuclideanL2), 2, 1e-12);
  EXPECT_EQ(distance(b, b, Metric::kEuclideanL2), 0);
}

TEST(Metrics, EuclideanOnUnitVectorsIsSqrtOfTwiceCosine) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> a(128), b(128);
    for (auto& v : a) v = normal(rng);
    for (auto& v : b) v = normal(rng);
    const double cosine = distance(a, b, Metric::kCosine);
    EXPECT_NEAR(distance(a, b, Metric::kEuclideanL2), std::sqrt(2 * cosine), 1e-6);
    const auto na = l2_normalize(a), nb = l2_normalize(b);
    EXPECT_NEAR(distance(na, nb, Metric::kEuclidean), distance(a, b, Metric::kEuclideanL2), 1e-6);
  }
}

TEST(Metrics, L2Normalize) {
  const std::vector<float> v{3, 4};
  const auto n = l2_normalize(v);
  EXPECT_FLOAT_EQ(n[0], 0.6f);
  EXPECT_FLOAT_EQ(n[1], 0.8f);
  EXPECT_NE(error_of([] { l2_normalize(std::vector<float>{0, 0}); }).find("zero length"), std::string::npos);
  EXPECT_NE(error_of([] { l2_normalize(std::vector<float>{}); }).find("empty"), std::string::npos);
}

TEST(Metrics, BadInputsNameTheReason) {
  const std::vector<float> a{1, 2, 3}, b{1, 2}, empty, zero{0, 0, 0};
  const std::vector<float> nan{1, NAN, 3}, inf{1, 2, INFINITY};
  for (const auto& name : metric_names()) {
    const Metric m = parse_metric(name);
    EXPECT_NE(error_of([&] { distance(a, b, m); }).find("differ in dimension (3 vs 2)"), std::string::npos);
    EXPECT_NE(error_of([&] { distance(empty, empty, m); }).find("is empty"), std::string::npos);
    EXPECT_NE(error_of([&] { distance(a, nan, m); }).find("second embedding: element 1 is not finite"), std::string::npos);
    EXPECT_NE(error_of([&] { distance(inf, a, m); }).find("first embedding: element 2 is not finite"), std::string::npos);
  }
  EXPECT_NE(error_of([&] { distance(a, zero, Metric::kCosine); }).find("zero length"), std::string::npos);
  EXPECT_NE(error_of([&] { distance(zero, a, Metric::kEuclideanL2); }).find("zero length"), std::string::npos);
  EXPECT_NEAR(distance(zero, a, Metric::kEuclidean), std::sqrt(14.0), 1e-12);
}

TEST(Logistic, ProbabilityIsStableAtTheExtremes) {
  const Logistic l{1, 0};
  EXPECT_DOUBLE_EQ(l.probability_same(0), 0.5);
  EXPECT_NEAR(l.probability_same(std::log(3.0)), 0.25, 1e-15);  // 1 / (1 + 3)
  EXPECT_EQ(l.probability_same(1e4), 0);
  EXPECT_EQ(l.probability_same(-1e4), 1);
}

// Labels drawn from a known logistic model: the fit must find its parameters.
TEST(Logistic, FitRecoversKnownParameters) {
  struct Case { double a, b, low, high; };
  for (const Case& c : {Case{8, -4, 0, 1}, Case{12, -6, 0.2, 0.8}, Case{1.5, -12, 4, 12}}) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> uniform(c.low, c.high), unit(0, 1);
    std::vector<double> d;
    std::vector<bool> same;
    for (int i = 0; i < 40000; ++i) {
      d.push_back(uniform(rng));
      same.push_back(unit(rng) < Logistic{c.a, c.b}.probability_same(d.back()));
    }
    const Logistic fit = fit_logistic(d, same);
    // At the maximum of the (Platt-smoothed) likelihood its gradient vanishes:
    // Σ (p_i − t_i) = 0 and Σ (p_i − t_i) d_i = 0.
    double n_same = 0;
    for (bool s : same) n_same += s;
    const double t_same = (n_same + 1) / (n_same + 2), t_different = 1 / (d.size() - n_same + 2);
    double g0 = 0, g1 = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      const double r = fit.probability_same(d[i]) - (same[i] ? t_same : t_different);
      g0 += r;
      g1 += r * d[i];
    }
    EXPECT_NEAR(g0, 0, 1e-6);
    EXPECT_NEAR(g1, 0, 1e-6 * c.high);
    EXPECT_NEAR(fit.a, c.a, 0.06 * c.a) << "a=" << c.a;
    EXPECT_NEAR(fit.b, c.b, 0.06 * std::abs(c.b)) << "b=" << c.b;
    // Scaling the distances scales a and leaves b: the fit does not depend on units.
    std::vector<double> scaled;
    for (double x : d) scaled.push_back(10 * x);
    const Logistic fit10 = fit_logistic(scaled, same);
    EXPECT_NEAR(fit10.a, fit.a / 10, 1e-6 * std::abs(fit.a));
    EXPECT_NEAR(fit10.b, fit.b, 1e-6 * std::abs(fit.b) + 1e-9);
  }
}

TEST(Logistic, SeparableDataStaysFinite) {
  const std::vector<double> d{0.1, 0.2, 0.3, 0.7, 0.8, 0.9};
  const Logistic fit = fit_logistic(d, {true, true, true, false, false, false});
  EXPECT_TRUE(std::isfinite(fit.a) && std::isfinite(fit.b));
  EXPECT_GT(fit.a, 0);
  EXPECT_GT(fit.probability_same(0.1), 0.7);
  EXPECT_LT(fit.probability_same(0.9), 0.3);
  EXPECT_NEAR(fit.probability_same(0.5), 0.5, 1e-6);  // symmetric data
}

TEST(Logistic, BadInputs) {
  const std::vector<double> d{0.1, 0.2};
  EXPECT_NE(error_of([&] { fit_logistic(d, {true}); }).find("2 distances but 1 labels"), std::string::npos);
  EXPECT_NE(error_of([&] { fit_logistic(d, {true, true}); }).find("both same and different"), std::string::npos);
  const std::vector<double> nan{0.1, NAN};
  EXPECT_NE(error_of([&] { fit_logistic(nan, {true, false}); }).find("distance 1 is not finite"), std::string::npos);
}

Calibration cosine_calibration() {
  Calibration c;
  c.model = "test-model";
  c.metric = Metric::kCosine;
  c.threshold = 0.4;
  c.logistic = Logistic{10, -4};  // p = 0.5 at d = 0.4
  c.source = "card";
  return c;
}

TEST(Verify, DecisionThresholdAndConfidence) {
  const std::vector<float> a{1, 0}, near{1, 0.2f}, far{0, 1};
  const auto c = cosine_calibration();
  const auto same = verify(a, near, Metric::kCosine, std::nullopt, c);
  EXPECT_TRUE(same.verified);
  EXPECT_DOUBLE_EQ(same.threshold, 0.4);
  EXPECT_EQ(same.threshold_source, ThresholdSource::kCalibration);
  const double p = 1 / (1 + std::exp(10 * same.distance - 4));
  EXPECT_NEAR(*same.probability_same, p, 1e-12);
  EXPECT_NEAR(*same.confidence, p, 1e-12);
  const auto different = verify(a, far, Metric::kCosine, std::nullopt, c);
  EXPECT_FALSE(different.verified);
  EXPECT_NEAR(*different.confidence, 1 - *different.probability_same, 1e-12);
  EXPECT_GT(*different.confidence, 0.99);
  // The user's threshold wins over the calibration's.
  const auto user = verify(a, far, Metric::kCosine, 1.5, c);
  EXPECT_TRUE(user.verified);
  EXPECT_EQ(user.threshold_source, ThresholdSource::kUser);
}

TEST(Verify, NoCalibrationMeansNoConfidenceAndNeedsAThreshold) {
  const std::vector<float> a{1, 0}, b{1, 0.1f};
  Calibration none;
  none.model = "test-model";
  const std::string e = error_of([&] { verify(a, b, Metric::kCosine, std::nullopt, none); });
  EXPECT_NE(e.find("test-model"), std::string::npos) << e;
  EXPECT_NE(e.find("facekit calibrate"), std::string::npos) << e;
  const auto v = verify(a, b, Metric::kEuclidean, 0.5, none);  // "none" suits any metric
  EXPECT_TRUE(v.verified);
  EXPECT_FALSE(v.confidence.has_value());
  EXPECT_FALSE(v.probability_same.has_value());
  EXPECT_NE(error_of([&] { verify(a, b, Metric::kEuclidean, std::nullopt, cosine_calibration()); }).find("is for metric cosine"),
            std::string::npos);
  EXPECT_NE(error_of([&] { verify(a, b, Metric::kCosine, NAN, cosine_calibration()); }).find("is not a cosine distance"), std::string::npos);
}

// Points $FACEKIT_MODELS at a fresh temporary directory for one test.
class TempModelsDir {
 public:
  TempModelsDir() {
    char tmpl[] = "/tmp/facekit-match-test-XXXXXX";
    path_ = mkdtemp(tmpl);
    if (const char* old = std::getenv("FACEKIT_MODELS")) old_ = old;
    setenv("FACEKIT_MODELS", path_.c_str(), 1);
  }
  ~TempModelsDir() {
    if (old_.empty()) unsetenv("FACEKIT_MODELS"); else setenv("FACEKIT_MODELS", old_.c_str(), 1);
    fs::remove_all(path_);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::string old_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CalibrationStore, NothingKnownIsSourceNone) {
  TempModelsDir dir;
  const auto c = load_calibration("mtcnn-pnet", Metric::kCosine);  // a detector: its card has no thresholds
  EXPECT_EQ(c.source, "none");
  EXPECT_FALSE(c.threshold.has_value());
  EXPECT_FALSE(c.logistic.has_value());
  EXPECT_EQ(load_calibration("my-arcface-export", Metric::kCosine).source, "none");  // unknown to the manifest
}

TEST(CalibrationStore, SaveThenLoadKeepsOtherMetrics) {
  TempModelsDir dir;
  Calibration c = cosine_calibration();
  c.far_thresholds = {{"1e-3", 0.3}, {"1e-4", 0.25}};
  c.pairs = 6000;
  c.dataset = "yaleb 1-10";
  save_calibration(c);
  Calibration e;
  e.model = c.model;
  e.metric = Metric::kEuclidean;
  e.threshold = 1.1;
  save_calibration(e);

  const fs::path file = dir.path() / "calibration" / "test-model.json";
  EXPECT_EQ(calibration_path("test-model"), file);
  const auto cosine = load_calibration("test-model", Metric::kCosine);
  EXPECT_EQ(cosine.source, "user:" + file.string());
  EXPECT_DOUBLE_EQ(*cosine.threshold, 0.4);
  EXPECT_DOUBLE_EQ(cosine.far_thresholds.at("1e-3"), 0.3);
  EXPECT_DOUBLE_EQ(cosine.far_thresholds.at("1e-4"), 0.25);
  EXPECT_DOUBLE_EQ(cosine.logistic->a, 10);
  EXPECT_DOUBLE_EQ(cosine.logistic->b, -4);
  EXPECT_EQ(cosine.pairs, 6000);
  EXPECT_EQ(cosine.dataset, "yaleb 1-10");
  const auto euclidean = load_calibration("test-model", Metric::kEuclidean);
  EXPECT_DOUBLE_EQ(*euclidean.threshold, 1.1);
  EXPECT_FALSE(euclidean.logistic.has_value());
  EXPECT_EQ(load_calibration("test-model", Metric::kEuclideanL2).source, "none");
  const auto json = nlohmann::json::parse(read_text(file));
  EXPECT_EQ(json["model"], "test-model");
  EXPECT_EQ(json["thresholds"].size(), 2u);
  for (const auto& entry : fs::directory_iterator(file.parent_path()))  // no temporary left behind
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
}

TEST(CalibrationStore, MalformedFileIsAnErrorAndIsNotOverwritten) {
  TempModelsDir dir;
  const fs::path file = dir.path() / "calibration" / "test-model.json";
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "{\"thresholds\": {\"cosine\": {\"threshold\": \"high\"}}}";
  std::string e = error_of([] { load_calibration("test-model", Metric::kCosine); });
  EXPECT_NE(e.find("thresholds.cosine.threshold"), std::string::npos) << e;
  EXPECT_NE(e.find("not a number"), std::string::npos) << e;
  std::ofstream(file) << "{not json";
  e = error_of([] { save_calibration(cosine_calibration()); });
  EXPECT_NE(e.find(file.string()), std::string::npos) << e;
  EXPECT_NE(e.find("malformed JSON"), std::string::npos) << e;
  EXPECT_EQ(read_text(file), "{not json");
}

TEST(CalibrationStore, ModelIdsMustBeFileNames) {
  TempModelsDir dir;
  for (const std::string& bad : std::vector<std::string>{"", "..", "../etc/passwd", "a/b", "x\ny"})
    EXPECT_NE(error_of([&] { calibration_path(bad); }).find("cannot be a file name"), std::string::npos) << bad;
}

TEST(CalibrationStore, JsonRoundTripAndTypeErrors) {
  Calibration c = cosine_calibration();
  c.far_thresholds = {{"1e-2", 0.5}};
  const auto back = calibration_from_json(calibration_to_json(c), c.model, c.metric, "test");
  EXPECT_EQ(calibration_to_json(back), calibration_to_json(c));
  const auto bad = [](const char* text) {
    return error_of([&] { calibration_from_json(nlohmann::json::parse(text), "m", Metric::kCosine, "card of m"); });
  };
  EXPECT_NE(bad(R"({"logistic": {"a": 1}})").find("card of m: thresholds.cosine.logistic"), std::string::npos);
  EXPECT_NE(bad(R"({"far": {"1e-3": null}})").find("thresholds.cosine.far.1e-3: is not a number"), std::string::npos);
  EXPECT_NE(bad(R"({"pairs": -3})").find("is not a count"), std::string::npos);
  EXPECT_NE(bad(R"([1, 2])").find("is not an object"), std::string::npos);
}

}  // namespace
