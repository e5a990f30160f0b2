// The analyzer's fitted combination keeps its promises on faces it was not
// fitted on: a sample of the development split of ../shared/data/attributes
// (every fifth dev face: 200 UTKFace, 276 FER2013), each whole image the
// face (`--no-detect`). The probabilities it gives are calibrated (ECE) and
// the age interval ± σ holds the truth at about a Gaussian's one-σ rate.
// docs/analysis.md gives the full dev figures (ECE ≤ 0.05); a sample of a
// few hundred faces has an ECE of a few hundredths from chance alone, hence
// the looser bounds here. Skipped without the data or the models.
#include <gtest/gtest.h>

#include "facekit/attribute_eval.h"
#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/zoo.h"
#include "testing.h"

namespace fs = std::filesystem;
using namespace facekit;

namespace {

constexpr double kSampleEce = 0.08;  // the full dev split's target is 0.05
// Race through facekit-attributes is less sure of itself than the other
// attributes (most answers at 0.5–0.9), where binning noise is largest: a
// calibrated head's ECE on 200 faces is about Σ_b n_b/n · √(2/π) ·
// √(p_b(1 − p_b)/n_b) ≈ 0.056 from chance alone, with a spread of about 0.02;
// its full-dev ECE is 0.047 (docs/analysis.md). Two spreads above chance.
constexpr double kSampleRaceEce = 0.10;

// Every fifth face of the dev split (rows 5, 10, … of labels.csv; its every
// fifth row again), analysed.
struct Scored {
  std::vector<eval::LabelledFace> faces;
  std::vector<eval::FaceOutcome> outcomes;
};

Scored analyse_sample(const fs::path& folder, const std::string& actions) {
  const auto all = eval::read_attribute_labels(folder / "labels.csv", folder / "images");
  Scored s;
  for (size_t row = 1; row <= all.size(); ++row)
    if (row % 25 == 0) s.faces.push_back(all[row - 1]);
  Engine engine({.threads = 1});
  AnalyzeRequest request;
  request.actions = actions;
  request.no_detect = true;
  s.outcomes = eval::analyze_labelled_faces(s.faces, [&](const fs::path& image) {
    const AnalyzeResult r = engine.analyze(read_named_image(image.string()), request);
    return eval::outcome_of(r.faces, r.analyses);
  });
  return s;
}

const eval::SourceScores& combined(const eval::AttributeReport& report, eval::Attribute attribute) {
  for (const auto& a : report.attributes)
    if (a.attribute == attribute) return a.sources.front();
  throw Error("no such attribute in the report");
}

std::optional<std::string> missing(const std::vector<std::string>& models) {
  for (const auto& id : models)
    if (!facekit::testing::zoo_model(id)) return "model " + id + " not installed";
  return std::nullopt;
}

TEST(AttributeCalibration, UtkFaceDevSample) {
  const auto data = facekit::testing::shared_data_dir();
  if (!data || !fs::exists(*data / "attributes" / "utkface" / "labels.csv"))
    GTEST_SKIP() << "UTKFace not found at ../shared/data/attributes/utkface";
  if (const auto why = missing({"faceapi-age-gender", "human-gear", "human-faceres"})) GTEST_SKIP() << *why;
  const Scored s = analyse_sample(*data / "attributes" / "utkface", "age,gender,race");
  ASSERT_EQ(s.faces.size(), 200u);
  const eval::AttributeReport report = eval::evaluate_attributes(s.faces, s.outcomes);
  EXPECT_EQ(report.found, 200);
  const auto& gender = std::get<eval::ClassScores>(combined(report, eval::Attribute::kGender).overall);
  EXPECT_LE(gender.reliability.ece, kSampleEce);
  EXPECT_GE(gender.accuracy, 0.9);
  const auto& race = std::get<eval::ClassScores>(combined(report, eval::Attribute::kRace).overall);
  EXPECT_LE(race.reliability.ece, kSampleRaceEce);
  // facekit-attributes gives 81.5 % on this sample (77.9 % on the whole dev
  // split); the bound is three standard errors below it, the zoo heads 57.4 %.
  EXPECT_GE(race.balanced_accuracy, 0.72);
  const auto& age = std::get<eval::AgeScores>(combined(report, eval::Attribute::kAge).overall);
  EXPECT_EQ(age.with_interval, 200);
  // A Gaussian's one σ: 68.3 %; ± 2 standard errors of a share over 200 faces.
  EXPECT_NEAR(age.interval_coverage, 0.683, 0.066);
  EXPECT_LE(age.mae, 6.0);
}

TEST(AttributeCalibration, Fer2013DevSample) {
  const auto data = facekit::testing::shared_data_dir();
  if (!data || !fs::exists(*data / "attributes" / "fer2013" / "labels.csv"))
    GTEST_SKIP() << "FER2013 not found at ../shared/data/attributes/fer2013";
  if (const auto why = missing({"faceapi-expression", "human-emotion"})) GTEST_SKIP() << *why;
  const Scored s = analyse_sample(*data / "attributes" / "fer2013", "emotion");
  ASSERT_EQ(s.faces.size(), 275u);
  const eval::AttributeReport report = eval::evaluate_attributes(s.faces, s.outcomes);
  const auto& emotion = std::get<eval::ClassScores>(combined(report, eval::Attribute::kEmotion).overall);
  EXPECT_LE(emotion.reliability.ece, kSampleEce);
  EXPECT_GE(emotion.accuracy, 0.55);
}

}  // namespace
