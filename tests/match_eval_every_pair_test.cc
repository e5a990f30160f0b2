// Every pair counted (include/facekit/eval.h): a pair an image of which gave
// no face is a miss — wrong in accuracy, rejected in the ROC — checked against
// figures computed by hand; LFW's View 1 (one fold) and View 2 (10 folds)
// pairs files, written here and, when ../shared/data has them, View 1's own.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit::eval {
namespace {

namespace fs = std::filesystem;

using facekit::testing::error_of;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Genuine 0.1, 0.2 and one miss; impostors 0.5, 0.6 and one miss.
std::vector<ScoredPair> with_misses() {
  return {{0.1, true, -1}, {0.2, true, -1}, ScoredPair::miss(true), {0.5, false, -1}, {0.6, false, -1}, ScoredPair::miss(false)};
}

TEST(EveryPair, AMissIsWrongInAccuracyAtEveryThreshold) {
  const auto pairs = with_misses();
  EXPECT_TRUE(pairs[2].missed());
  EXPECT_FALSE(pairs[0].missed());
  // Best: accept 0.1 and 0.2, reject 0.5 and 0.6 — 4 right of 6; the two misses are wrong.
  const AccuracyAt best = best_accuracy(pairs);
  EXPECT_DOUBLE_EQ(best.accuracy, 4.0 / 6);
  EXPECT_DOUBLE_EQ(best.threshold, 0.35);
  EXPECT_DOUBLE_EQ(accuracy_at(pairs, 0.35), 4.0 / 6);
  EXPECT_DOUBLE_EQ(accuracy_at(pairs, 1e9), 2.0 / 6);   // accepts the scored genuine and impostors; misses still wrong
  EXPECT_DOUBLE_EQ(accuracy_at(pairs, -1), 2.0 / 6);    // rejects everything: the scored impostors are right
  // The scored pairs alone are separable.
  EXPECT_EQ(scored_only(pairs).size(), 4u);
  EXPECT_DOUBLE_EQ(best_accuracy(scored_only(pairs)).accuracy, 1);
  EXPECT_NE(error_of([] { best_accuracy({ScoredPair::miss(true), ScoredPair::miss(false)}); }).find("every pair was missed"),
            std::string::npos);
}

TEST(EveryPair, AMissIsRejectedInTheRocAndAuc) {
  const auto pairs = with_misses();
  // Genuine {0.1, 0.2, +inf} vs impostors {0.5, 0.6, +inf}: of the 9 pairs,
  // the two scored genuine beat all 3 impostors (6), the missed genuine ties
  // the missed impostor (1/2) and loses to the others: AUC = 6.5 / 9.
  EXPECT_DOUBLE_EQ(auc(pairs), 6.5 / 9);
  EXPECT_DOUBLE_EQ(auc(scored_only(pairs)), 1);
  const auto r = roc(pairs);
  // Rejecting all, then 0.1, 0.2, 0.5, 0.6, and the closing point at +inf.
  ASSERT_EQ(r.size(), 6u);
  const double far[] = {0, 0, 0, 1.0 / 3, 2.0 / 3, 1}, tar[] = {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 1};
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_DOUBLE_EQ(r[i].far, far[i]) << i;
    EXPECT_DOUBLE_EQ(r[i].tar, tar[i]) << i;
  }
  EXPECT_EQ(r.back().threshold, kInf);
  // FAR = FRR = 1/3 at threshold 0.5.
  const Eer eer = equal_error_rate(r);
  EXPECT_DOUBLE_EQ(eer.rate, 1.0 / 3);
  EXPECT_DOUBLE_EQ(eer.threshold, 0.5);
  // TAR at FAR ≤ 1/3: 2/3 — the missed genuine pair is never accepted.
  const TarAtFar t = tar_at_far(r, 3, 1.0 / 3);
  EXPECT_TRUE(t.measurable);
  EXPECT_DOUBLE_EQ(t.tar, 2.0 / 3);
}

TEST(EveryPair, AnEerOnlyReachedThroughTheMissesHasNoFiniteThreshold) {
  // Genuine {0.1, miss, miss}, impostors {0.5, miss, miss}, each twice (so
  // that both cross-validation folds hold a scored pair): the ROC runs
  // (0, 1/3) at 0.1, (1/3, 1/3) at 0.5, then (1, 1) at +inf. FAR − FRR goes
  // −1/3 → +1 on the last segment: t = 1/4, EER = 1/3 + (2/3)/4 = 1/2.
  std::vector<ScoredPair> pairs;
  for (int copy = 0; copy < 2; ++copy)
    pairs.insert(pairs.end(), {{0.1, true, -1}, {0.5, false, -1}, ScoredPair::miss(true), ScoredPair::miss(true),
                               ScoredPair::miss(false), ScoredPair::miss(false)});
  const Eer eer = equal_error_rate(roc(pairs));
  EXPECT_DOUBLE_EQ(eer.rate, 0.5);
  EXPECT_EQ(eer.threshold, kInf);
  const Report report = evaluate(pairs, "x", 2);
  EXPECT_TRUE(report_to_json(report, true)["eer"]["threshold"].is_null());
  EXPECT_TRUE(report_to_json(report, true)["roc"].back()["threshold"].is_null());
}

TEST(EveryPair, CrossValidationCountsMissesInEachFold) {
  // Fold 0: genuine 0.1, impostor 0.5, a missed genuine; fold 1: genuine 0.2,
  // impostor 0.6, a missed impostor. Trained on fold 1 the threshold is
  // (0.2 + 0.6) / 2 = 0.4, on fold 0 (0.1 + 0.5) / 2 = 0.3; each fold then
  // gets its two scored pairs right and its miss wrong: 2/3 and 2/3.
  const std::vector<ScoredPair> pairs = {{0.1, true, 0}, {0.5, false, 0}, ScoredPair::miss(true, 0),
                                         {0.2, true, 1}, {0.6, false, 1}, ScoredPair::miss(false, 1)};
  const CrossValidation cv = cross_validate(pairs, 2);
  ASSERT_EQ(cv.fold_accuracy.size(), 2u);
  EXPECT_DOUBLE_EQ(cv.fold_threshold[0], 0.4);
  EXPECT_DOUBLE_EQ(cv.fold_threshold[1], 0.3);
  EXPECT_DOUBLE_EQ(cv.fold_accuracy[0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(cv.fold_accuracy[1], 2.0 / 3);
  EXPECT_DOUBLE_EQ(cv.mean_accuracy, 2.0 / 3);
  EXPECT_DOUBLE_EQ(cv.std_accuracy, 0);
}

TEST(EveryPair, ReportCountsAndChecks) {
  const Report r = evaluate(with_misses(), "x", 2);
  EXPECT_EQ(r.genuine, 3);
  EXPECT_EQ(r.impostors, 3);
  EXPECT_EQ(r.missed_genuine, 1);
  EXPECT_EQ(r.missed_impostors, 1);
  EXPECT_DOUBLE_EQ(r.auc, 6.5 / 9);
  EXPECT_DOUBLE_EQ(r.best.accuracy, 4.0 / 6);
  EXPECT_GT(r.logistic.a, 0);  // fitted on the four scored pairs
  const auto j = report_to_json(r, false);
  EXPECT_EQ(j["pairs"]["missed_genuine"], 1);
  EXPECT_EQ(j["pairs"]["missed_impostor"], 1);
  // Calibration counts the pairs it was fitted on: the scored ones.
  EXPECT_EQ(calibration_from(r, "m", Metric::kCosine, "d").pairs, 4);
  // Still refused: NaN and −inf, and a set without one scored pair.
  EXPECT_NE(error_of([] { evaluate({{NAN, true, -1}, {0.5, false, -1}}, "x", 2); }).find("non-finite"), std::string::npos);
  EXPECT_NE(error_of([] { evaluate({{-kInf, true, -1}, {0.5, false, -1}}, "x", 2); }).find("non-finite"), std::string::npos);
  EXPECT_NE(error_of([] { evaluate({ScoredPair::miss(true), ScoredPair::miss(false)}, "src", 2); })
                .find("src: every one of the 2 pairs was missed"),
            std::string::npos);
}

TEST(EveryPair, ScorePairsEmbedsEachImageOnceAndKeepsEveryPair) {
  std::map<fs::path, int> calls;
  const EmbedImage embed = [&](const fs::path& image) -> std::optional<ImageEmbedding> {
    ++calls[image];
    if (image == "a") return ImageEmbedding{{1, 0}, true};
    if (image == "b") return ImageEmbedding{{0, 1}, true};
    if (image == "e") return ImageEmbedding{{1, 0}, false};  // the whole image stood in
    if (image == "c") return std::nullopt;                   // no face
    throw Error(image.string() + ": cannot be read");
  };
  const std::vector<ImagePair> pairs = {{"a", "e", true, -1}, {"a", "b", false, -1}, {"a", "c", true, -1},
                                        {"b", "d", false, -1}, {"c", "b", false, -1}, {"e", "b", false, -1}};
  const PairScores s = score_pairs(pairs, Metric::kCosine, embed);
  ASSERT_EQ(s.pairs.size(), 6u);
  EXPECT_DOUBLE_EQ(s.pairs[0].distance, 0);
  EXPECT_DOUBLE_EQ(s.pairs[1].distance, 1);
  EXPECT_TRUE(s.pairs[2].missed() && s.pairs[2].same);
  EXPECT_TRUE(s.pairs[3].missed() && !s.pairs[3].same);
  EXPECT_TRUE(s.pairs[4].missed());
  EXPECT_DOUBLE_EQ(s.pairs[5].distance, 1);
  for (const auto& [image, n] : calls) EXPECT_EQ(n, 1) << image;
  EXPECT_EQ(calls.size(), 5u);
  ASSERT_EQ(s.missed_images.size(), 2u);
  EXPECT_EQ(s.missed_images[0].image, fs::path("c"));
  EXPECT_EQ(s.missed_images[0].reason, "c: no face found");
  EXPECT_EQ(s.missed_images[1].image, fs::path("d"));
  EXPECT_EQ(s.missed_images[1].reason, "d: cannot be read");
  ASSERT_EQ(s.whole_images.size(), 1u);
  EXPECT_EQ(s.whole_images[0], fs::path("e"));
  EXPECT_EQ(s.whole_image_pairs, 2);

  // 6 pairs: 3 scored (1 genuine at 0, 2 impostors at 1), 3 missed (1 genuine, 2 impostors).
  const PairEvaluation e = evaluate_pairs(s, "toy", 2);
  EXPECT_DOUBLE_EQ(e.all_pairs.best.accuracy, 3.0 / 6);
  ASSERT_TRUE(e.scored_pairs.has_value());
  EXPECT_DOUBLE_EQ(e.scored_pairs->best.accuracy, 1);
  EXPECT_EQ(e.scored_pairs->genuine + e.scored_pairs->impostors, 3);
  const auto j = pair_evaluation_to_json(s, e, false);
  EXPECT_EQ(j["pairs"]["total"], 6);
  EXPECT_EQ(j["pairs"]["scored"], 3);
  EXPECT_EQ(j["pairs"]["missed"], 3);
  EXPECT_EQ(j["pairs"]["whole_image"], 2);
  EXPECT_EQ(j["missed_images"].size(), 2u);
  EXPECT_EQ(j["missed_images"][1]["reason"], "d: cannot be read");
  EXPECT_EQ(j["whole_images"][0], "e");
  EXPECT_DOUBLE_EQ(j["all_pairs"]["best_accuracy"]["accuracy"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["scored_pairs"]["best_accuracy"]["accuracy"].get<double>(), 1);
  // Scored pairs of one class only: no scored-pairs report, the all-pairs one stands.
  const PairScores one_class = score_pairs(
      {{"a", "e", true, -1}, {"e", "a", true, -1}, {"a", "c", false, -1}, {"c", "b", false, -1}}, Metric::kCosine, embed);
  const PairEvaluation partial = evaluate_pairs(one_class, "toy", 2);
  EXPECT_FALSE(partial.scored_pairs.has_value());
  EXPECT_TRUE(pair_evaluation_to_json(one_class, partial, false)["scored_pairs"].is_null());
}

// View 1: "N", then N same and N different lines — no folds of its own.
TEST(LfwViews, View1IsOneFoldDealtByCrossValidation) {
  facekit::testing::TempDir dir("lfw_views");
  std::ofstream(dir.path / "dev.txt") << "10\n";
  {
    std::ofstream out(dir.path / "dev.txt", std::ios::app);
    for (int i = 1; i <= 10; ++i) out << "P" << i << "\t1\t2\n";
    for (int i = 1; i <= 10; ++i) out << "P" << i << "\t1\tQ" << i << "\t1\n";
  }
  const auto pairs = read_lfw_pairs(dir.path / "dev.txt", "r");
  ASSERT_EQ(pairs.size(), 20u);
  for (const auto& p : pairs) EXPECT_EQ(p.fold, -1);
  EXPECT_TRUE(pairs[9].same);
  EXPECT_FALSE(pairs[10].same);
  // 10-fold cross-validation works on it (it once failed with "best_accuracy: no pairs").
  std::vector<ScoredPair> scored;
  for (size_t i = 0; i < pairs.size(); ++i) scored.push_back({pairs[i].same ? 0.2 : 0.8, pairs[i].same, pairs[i].fold});
  const CrossValidation cv = cross_validate(scored, 10);
  EXPECT_DOUBLE_EQ(cv.mean_accuracy, 1);
}

// View 2: "10 300", ten folds of 300 same + 300 different (here "10 3").
TEST(LfwViews, View2KeepsItsTenFolds) {
  facekit::testing::TempDir dir("lfw_views");
  {
    std::ofstream out(dir.path / "pairs.txt");
    out << "10\t3\n";
    for (int f = 0; f < 10; ++f) {
      for (int i = 0; i < 3; ++i) out << "S" << f << "_" << i << "\t1\t2\n";
      for (int i = 0; i < 3; ++i) out << "D" << f << "_" << i << "\t1\tE" << i << "\t3\n";
    }
  }
  const auto pairs = read_lfw_pairs(dir.path / "pairs.txt", "/lfw");
  ASSERT_EQ(pairs.size(), 60u);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(pairs[i].fold, static_cast<int>(i / 6)) << i;
    EXPECT_EQ(pairs[i].same, i % 6 < 3) << i;
  }
  EXPECT_EQ(pairs[6].a, fs::path("/lfw/S1_0/S1_0_0001.jpg"));
  EXPECT_EQ(pairs[9].b, fs::path("/lfw/E0/E0_0003.jpg"));
  // Fold 4's pairs are swapped: only it is wrong under the others' threshold.
  std::vector<ScoredPair> scored;
  for (const auto& p : pairs) scored.push_back({(p.same != (p.fold == 4)) ? 0.2 : 0.8, p.same, p.fold});
  const CrossValidation cv = cross_validate(scored, 10);
  EXPECT_DOUBLE_EQ(cv.fold_accuracy[4], 0);
  EXPECT_DOUBLE_EQ(cv.mean_accuracy, 0.9);
}

TEST(LfwViews, View1FilesOfSharedData) {
  const auto data = facekit::testing::shared_data_dir();
  if (!data || !fs::exists(*data / "lfw-view1/pairsDevTrain.txt"))
    GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
  const fs::path root = *data / "lfw-view1/images";
  for (const auto& [file, count] : {std::pair{"pairsDevTrain.txt", 2200u}, std::pair{"pairsDevTest.txt", 1000u}}) {
    const auto pairs = read_lfw_pairs(*data / "lfw-view1" / file, root);
    ASSERT_EQ(pairs.size(), count) << file;
    size_t same = 0;
    std::set<fs::path> missing;
    for (const auto& p : pairs) {
      same += p.same;
      EXPECT_EQ(p.fold, -1);
      for (const auto& image : {p.a, p.b})
        if (!fs::exists(image)) missing.insert(image);
    }
    EXPECT_EQ(same, count / 2) << file;
    EXPECT_TRUE(missing.empty()) << file << ": " << missing.size() << " images missing, e.g. " << missing.begin()->string();
  }
}

}  // namespace
}  // namespace facekit::eval
