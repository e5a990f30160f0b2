// The attribute metrics of `facekit eval --attributes` (attribute_eval.h),
// each against figures computed by hand in the comments; the labels CSV's
// validation; misses (a missing file, no face, a refused face, a head that
// gave nothing) counted against the pipeline; breakdowns and their gaps.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "facekit/attribute_eval.h"
#include "facekit/error.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit::eval {
namespace {

using facekit::testing::error_of;
using facekit::testing::TempDir;

// ---- Metrics -------------------------------------------------------------------

TEST(AttributeMetrics, ExpectedCalibrationErrorByHand) {
  // Bins of 0.1: [0.9,1]: 0.95 ✓, 0.95 ✓ → |1 − 0.95| · 2/5 = 0.02
  //              [0.8,0.9): 0.85 ✗     → 0.85 · 1/5 = 0.17
  //              [0.5,0.6): 0.55 ✓     → 0.45 · 1/5 = 0.09
  //              [0.2,0.3): 0.25 ✗     → 0.25 · 1/5 = 0.05      ECE = 0.33
  const Reliability r = reliability({{0.95, true}, {0.95, true}, {0.85, false}, {0.55, true}, {0.25, false}});
  EXPECT_EQ(r.count, 5);
  ASSERT_EQ(r.bins.size(), 10u);
  EXPECT_NEAR(r.ece, 0.33, 1e-12);
  EXPECT_EQ(r.bins[9].count, 2);
  EXPECT_NEAR(r.bins[9].confidence, 0.95, 1e-12);
  EXPECT_NEAR(r.bins[9].accuracy, 1.0, 1e-12);
  EXPECT_EQ(r.bins[8].count, 1);
  EXPECT_NEAR(r.bins[8].accuracy, 0.0, 1e-12);
  EXPECT_EQ(r.bins[0].count, 0);
  EXPECT_NEAR(r.bins[3].lower, 0.3, 1e-12);
  EXPECT_NEAR(r.bins[3].upper, 0.4, 1e-12);
}

TEST(AttributeMetrics, CalibrationEdgesAndBadInput) {
  // 1.0 falls into the last bin, 0.0 into the first; a perfectly calibrated
  // pair of bins has ECE 0.
  const Reliability r = reliability({{1.0, true}, {0.0, false}}, 4);
  EXPECT_EQ(r.bins[3].count, 1);
  EXPECT_EQ(r.bins[0].count, 1);
  EXPECT_DOUBLE_EQ(r.ece, 0.0);
  EXPECT_DOUBLE_EQ(reliability({}).ece, 0.0);
  EXPECT_NE(error_of([] { reliability({{0.5, true}}, 0); }).find("at least one bin"), std::string::npos);
  EXPECT_NE(error_of([] { reliability({{1.5, true}}); }).find("outside [0, 1]"), std::string::npos);
  EXPECT_NE(error_of([] { reliability({{std::nan(""), true}}); }).find("outside [0, 1]"), std::string::npos);
}

TEST(AttributeMetrics, ClassScoresByHand) {
  // truth a: (0.7 0.2 0.1) → a ✓ 0.7 | (0.2 0.5 0.3) → b ✗ 0.5 | miss
  // truth b: (0.1 0.8 0.1) → b ✓ 0.8
  // truth c: (0.3 0.3 0.4) → c ✓ 0.4 | (0.5 0.5 0) → a (first of equals) ✗ 0.5
  // class d: no faces.
  // accuracy 3/6; recall a 1/3, b 1, c 1/2 → balanced 11/18.
  // ECE over the 5 found: bin 0.5 (2 ✗) 0.5·2/5 = 0.2, 0.7 ✓ 0.3/5, 0.8 ✓ 0.2/5,
  // 0.4 ✓ 0.6/5 → 0.2 + 0.06 + 0.04 + 0.12 = 0.42.
  const std::vector<ClassSample> samples = {{0, std::vector<float>{0.7f, 0.2f, 0.1f, 0}},
                                            {0, std::vector<float>{0.2f, 0.5f, 0.3f, 0}},
                                            {0, std::nullopt},
                                            {1, std::vector<float>{0.1f, 0.8f, 0.1f, 0}},
                                            {2, std::vector<float>{0.3f, 0.3f, 0.4f, 0}},
                                            {2, std::vector<float>{0.5f, 0.5f, 0, 0}}};
  const ClassScores s = class_scores({"a", "b", "c", "d"}, samples);
  EXPECT_EQ(s.total, 6);
  EXPECT_EQ(s.found, 5);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.5);
  EXPECT_NEAR(s.balanced_accuracy, 11.0 / 18, 1e-12);
  EXPECT_NEAR(s.recall[0], 1.0 / 3, 1e-12);
  EXPECT_TRUE(std::isnan(s.recall[3]));
  const std::vector<std::vector<int64_t>> confusion = {{1, 1, 0, 0, 1}, {0, 1, 0, 0, 0}, {1, 0, 1, 0, 0}, {0, 0, 0, 0, 0}};
  EXPECT_EQ(s.confusion, confusion);
  EXPECT_NEAR(s.reliability.ece, 0.42, 1e-6);
  EXPECT_EQ(s.reliability.count, 5);
}

TEST(AttributeMetrics, ClassScoresRejectBadInput) {
  EXPECT_NE(error_of([] { class_scores({"a", "b"}, {}); }).find("no faces"), std::string::npos);
  EXPECT_NE(error_of([] { class_scores({"a", "b"}, {{2, std::nullopt}}); }).find("outside the 2 classes"),
            std::string::npos);
  EXPECT_NE(error_of([] { class_scores({"a", "b"}, {{0, std::vector<float>{1}}}); }).find("1 probabilities for 2"),
            std::string::npos);
}

TEST(AttributeMetrics, AgeScoresByHand) {
  // 30 → 33 (σ 5), 20 → 12 (σ 4), 50 missed, 40 → 40 (no σ), 10 → 15 (σ 6).
  // Errors +3, −8, 0, +5: MAE 16/4 = 4, bias 0/4 = 0; within ±5 (5 counts):
  // 3 of 5 (the miss is outside); in ± σ: 3 ≤ 5 ✓, 8 ≤ 4 ✗, 5 ≤ 6 ✓ → 2/3.
  const AgeScores s = age_scores({{30, 33.f, 5}, {20, 12.f, 4}, {50, std::nullopt, 0}, {40, 40.f, 0}, {10, 15.f, 6}});
  EXPECT_EQ(s.total, 5);
  EXPECT_EQ(s.found, 4);
  EXPECT_DOUBLE_EQ(s.mae, 4.0);
  EXPECT_DOUBLE_EQ(s.bias, 0.0);
  EXPECT_DOUBLE_EQ(s.within_5, 0.6);
  EXPECT_EQ(s.with_interval, 3);
  EXPECT_NEAR(s.interval_coverage, 2.0 / 3, 1e-12);

  const AgeScores none = age_scores({{30, std::nullopt, 0}});
  EXPECT_TRUE(std::isnan(none.mae));
  EXPECT_DOUBLE_EQ(none.within_5, 0.0);
  EXPECT_TRUE(std::isnan(none.interval_coverage));
  EXPECT_NE(error_of([] { age_scores({}); }).find("no faces"), std::string::npos);
}

TEST(AttributeMetrics, AgeBands) {
  EXPECT_EQ(age_band(0), "0-2");
  EXPECT_EQ(age_band(2), "0-2");
  EXPECT_EQ(age_band(3), "3-12");
  EXPECT_EQ(age_band(13), "13-19");
  EXPECT_EQ(age_band(20), "20-29");
  EXPECT_EQ(age_band(69), "60-69");
  EXPECT_EQ(age_band(70), "70+");
  EXPECT_EQ(age_band(115), "70+");
}

// ---- The labels CSV ---------------------------------------------------------------

std::filesystem::path write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

TEST(AttributeLabels, ReadsColumnsInAnyOrderWithUnknownLabels) {
  TempDir dir("attribute_labels");
  const auto csv = write(dir.path / "labels.csv",
                         "Emotion,file,gender,age,race\r\n"
                         "happy,a.jpg,Male,31,white\r\n"
                         "\n"
                         ",\"b, c.jpg\",,,\r\n"
                         "neutral,/abs/d.jpg,female,0,OTHER\r\n");
  const auto faces = read_attribute_labels(csv, "/root");
  ASSERT_EQ(faces.size(), 3u);
  EXPECT_EQ(faces[0].image, std::filesystem::path("/root/a.jpg"));
  EXPECT_EQ(faces[0].emotion, 3);
  EXPECT_EQ(faces[0].gender, 0);
  EXPECT_EQ(faces[0].age, 31);
  EXPECT_EQ(faces[0].race, 0);
  EXPECT_EQ(faces[1].image, std::filesystem::path("/root/b, c.jpg"));
  EXPECT_FALSE(faces[1].age || faces[1].gender || faces[1].race || faces[1].emotion);
  EXPECT_EQ(faces[2].image, std::filesystem::path("/abs/d.jpg"));
  EXPECT_EQ(faces[2].age, 0);
  EXPECT_EQ(faces[2].race, 4);
  const std::vector<Attribute> all = {Attribute::kAge, Attribute::kGender, Attribute::kRace, Attribute::kEmotion};
  EXPECT_EQ(labelled_attributes(faces), all);
}

TEST(AttributeLabels, BadFilesAreRefusedNamingFileAndLine) {
  TempDir dir("attribute_labels_bad");
  const auto error = [&](const std::string& text) {
    const auto csv = write(dir.path / "labels.csv", text);
    return error_of([&] { read_attribute_labels(csv, dir.path); });
  };
  const std::string at2 = (dir.path / "labels.csv").string() + ":2: ";
  EXPECT_EQ(error("file,age\nx.jpg,-1\n"), at2 + "the age '-1' is not a whole number of years in 0..130");
  EXPECT_EQ(error("file,age\nx.jpg,12.5\n"), at2 + "the age '12.5' is not a whole number of years in 0..130");
  EXPECT_EQ(error("file,age\nx.jpg,131\n"), at2 + "the age '131' is not a whole number of years in 0..130");
  EXPECT_EQ(error("file,age\nx.jpg,thirty\n"), at2 + "the age 'thirty' is not a whole number of years in 0..130");
  EXPECT_EQ(error("file,gender\nx.jpg,m\n"), at2 + "unknown gender 'm' (expected one of male, female)");
  EXPECT_EQ(error("file,race\nx.jpg,latino\n"),
            at2 + "unknown race 'latino' (expected one of white, black, asian, indian, other)");
  EXPECT_NE(error("file,emotion\nx.jpg,contempt\n").find("unknown emotion 'contempt'"), std::string::npos);
  EXPECT_EQ(error("file,age\nx.jpg\n"), at2 + "expected 2 fields, got 1");
  EXPECT_EQ(error("file,age\n,30\n"), at2 + "the file name is empty");
  EXPECT_NE(error("file,gendre\nx.jpg,male\n").find(":1: unknown column 'gendre'"), std::string::npos);
  EXPECT_NE(error("file,age,Age\n").find(":1: the column 'Age' appears twice"), std::string::npos);
  EXPECT_NE(error("age,gender\n30,male\n").find(":1: the header has no 'file' column"), std::string::npos);
  EXPECT_NE(error("file\nx.jpg\n").find("names no label column"), std::string::npos);
  EXPECT_NE(error("file,age\n").find("holds no labelled face"), std::string::npos);
  EXPECT_NE(error("").find("is empty"), std::string::npos);
  EXPECT_NE(error("file,age\n\"x.jpg,30\n").find("unterminated quoted field"), std::string::npos);
  EXPECT_NE(error_of([&] { read_attribute_labels(dir.path / "absent.csv", dir.path); }).find("cannot be opened"),
            std::string::npos);
}

// ---- Outcomes and misses -------------------------------------------------------

Face face_with_box(float side) {
  Face f;
  f.box = cv::Rect2f(0, 0, side, side);
  return f;
}

TEST(AttributeOutcome, TakesTheLargestAnalysedFaceAndEveryHead) {
  FaceAnalysis small, large, refused;
  small.gender = "male";
  small.gender_probability = 0.9f;
  large.gender = "female";
  large.gender_probability = 0.8f;
  large.age = AgeEstimate{30, 4};
  large.race = {{"asian", 0.7f}, {"white", 0.3f}, {"martian", 0.5f}};
  HeadAnalysis head;
  head.head = "some-head";
  head.male_probability = 0.25f;
  large.heads.push_back(head);
  refused.refused = "too small";
  const FaceOutcome o = outcome_of({face_with_box(20), face_with_box(50), face_with_box(90)}, {small, large, refused});
  EXPECT_TRUE(o.missed.empty());
  ASSERT_EQ(o.sources.size(), 2u);
  const AttributeEstimate& c = o.sources.at(kCombinedSource);
  EXPECT_FLOAT_EQ(*c.male_probability, 0.2f);  // female 0.8
  EXPECT_FLOAT_EQ(*c.age, 30);
  EXPECT_FLOAT_EQ(c.age_uncertainty, 4);
  const std::array<float, 5> race = {0.3f, 0, 0.7f, 0, 0};  // the unknown class left out
  EXPECT_EQ(*c.race, race);
  EXPECT_FALSE(c.emotion);
  EXPECT_FLOAT_EQ(*o.sources.at("some-head").male_probability, 0.25f);

  EXPECT_EQ(outcome_of({}, {}).missed, "no face found");
  EXPECT_EQ(outcome_of({face_with_box(90)}, {refused}).missed, "every face refused: too small");
  EXPECT_NE(error_of([] { outcome_of({face_with_box(1)}, {}); }).find("1 faces but 0 analyses"), std::string::npos);
}

// A labelled face with gender `g` and race `r`.
LabelledFace labelled(const std::string& image, int gender, int race, std::optional<int> age = std::nullopt) {
  LabelledFace f;
  f.image = image;
  f.gender = gender;
  f.race = race;
  f.age = age;
  return f;
}

// An outcome whose combination says P(male) = `male` and a head that says nothing of gender.
FaceOutcome said(float male) {
  FaceOutcome o;
  o.sources[kCombinedSource].male_probability = male;
  o.sources["quiet-head"].age = 30;
  o.sources["loud-head"].male_probability = 1 - male;
  return o;
}

TEST(AttributeReport, MissesCountAgainstThePipeline) {
  // Four faces: a missing file (the analyser throws), one with no face, two
  // analysed (one right, one wrong). Gender accuracy 1/4, found 2/4.
  const std::vector<LabelledFace> faces = {labelled("gone.jpg", 0, 0), labelled("blank.jpg", 0, 0),
                                           labelled("man.jpg", 0, 0), labelled("woman.jpg", 1, 0)};
  const auto outcomes = analyze_labelled_faces(faces, [](const std::filesystem::path& image) {
    if (image == "gone.jpg") throw Error("gone.jpg: no such file");
    FaceOutcome none;
    none.missed = "no face found";
    return image == "blank.jpg" ? none : said(0.9f);  // both analysed faces said male
  });
  const AttributeReport r = evaluate_attributes(faces, outcomes);
  EXPECT_EQ(r.total, 4);
  EXPECT_EQ(r.found, 2);
  ASSERT_EQ(r.missed.size(), 2u);
  EXPECT_EQ(r.missed[0].reason, "gone.jpg: no such file");
  EXPECT_EQ(r.missed[1].reason, "blank.jpg: no face found");
  ASSERT_EQ(r.attributes.size(), 2u);  // gender, race (labelled)
  const AttributeEvaluation& gender = r.attributes[0];
  EXPECT_EQ(gender.attribute, Attribute::kGender);
  ASSERT_EQ(gender.sources.size(), 2u);  // the combination and the head that estimated gender
  EXPECT_EQ(gender.sources[0].source, kCombinedSource);
  EXPECT_EQ(gender.sources[1].source, "loud-head");
  const auto& combined = std::get<ClassScores>(gender.sources[0].overall);
  EXPECT_EQ(combined.found, 2);
  EXPECT_DOUBLE_EQ(combined.accuracy, 0.25);
  EXPECT_EQ(combined.confusion[0][2], 2);  // two men missed
  EXPECT_DOUBLE_EQ(std::get<ClassScores>(gender.sources[1].overall).accuracy, 0.25);  // said female twice
  // Race is labelled but nobody estimated it: the combination misses every face.
  const auto& race = std::get<ClassScores>(r.attributes[1].sources[0].overall);
  EXPECT_EQ(race.found, 0);
  EXPECT_DOUBLE_EQ(race.accuracy, 0.0);
}

TEST(AttributeReport, BreakdownsAndTheirGap) {
  // 20 white faces all right, 20 black faces 15 right (gap 25 points), 5
  // asian faces all wrong (too few for the gap). Ages 25 (20-29) or 45.
  std::vector<LabelledFace> faces;
  std::vector<FaceOutcome> outcomes;
  for (int i = 0; i < 45; ++i) {
    const int race = i < 20 ? 0 : i < 40 ? 1 : 2;
    const bool right = race == 0 || (race == 1 && i < 35);
    faces.push_back(labelled("f" + std::to_string(i), i % 2, race, i % 3 == 0 ? 45 : 25));
    outcomes.push_back(said(right == (i % 2 == 0) ? 0.9f : 0.1f));
  }
  const AttributeReport r = evaluate_attributes(faces, outcomes);
  ASSERT_EQ(r.attributes[1].attribute, Attribute::kGender);
  const SourceScores& combined = r.attributes[1].sources[0];
  ASSERT_EQ(combined.breakdowns.size(), 3u);  // race, race × gender, age band (not gender by gender)
  const Breakdown& by_race = combined.breakdowns[0];
  EXPECT_EQ(by_race.by, Grouping::kRace);
  ASSERT_EQ(by_race.groups.size(), 3u);
  EXPECT_EQ(by_race.groups[1].first, "black");
  EXPECT_DOUBLE_EQ(std::get<ClassScores>(by_race.groups[1].second).accuracy, 0.75);
  EXPECT_DOUBLE_EQ(std::get<ClassScores>(by_race.groups[2].second).accuracy, 0.0);
  ASSERT_TRUE(by_race.gap);
  EXPECT_DOUBLE_EQ(*by_race.gap, 0.25);
  EXPECT_EQ(by_race.best, "white");
  EXPECT_EQ(by_race.worst, "black");
  const Breakdown& by_race_gender = combined.breakdowns[1];
  EXPECT_EQ(by_race_gender.groups[0].first, "white male");
  EXPECT_FALSE(by_race_gender.gap);  // no group of 20
  const Breakdown& by_age = combined.breakdowns[2];
  ASSERT_EQ(by_age.groups.size(), 2u);
  EXPECT_EQ(by_age.groups[0].first, "20-29");
  EXPECT_EQ(by_age.groups[1].first, "40-49");
  EXPECT_EQ(std::get<ClassScores>(by_age.groups[1].second).total, 15);

  const std::string text = attribute_report_text(r);
  EXPECT_NE(text.find("gap 25.0 points (best white, worst black)"), std::string::npos) << text;
  EXPECT_NE(error_of([&] { evaluate_attributes(faces, {}); }).find("45 labelled faces but 0 outcomes"),
            std::string::npos);
}

TEST(AttributeReport, ReliabilityPlotIsWritten) {
  TempDir dir("reliability_plot");
  const auto png = dir.path / "reliability.png";
  write_reliability_plot(png, {{"gender", reliability({{0.9, true}, {0.6, false}})}}, "test");
  EXPECT_GT(std::filesystem::file_size(png), 1000u);
  EXPECT_NE(error_of([&] { write_reliability_plot(png, {}, "test"); }).find("no reliability curve"), std::string::npos);
  EXPECT_NE(error_of([&] { write_reliability_plot(dir.path / "no/such/dir.png", {{"g", reliability({})}}, "t"); })
                .find("cannot be written"),
            std::string::npos);
}

}  // namespace
}  // namespace facekit::eval
