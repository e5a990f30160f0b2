// --far: a card's FAR table read from impostor distances (eval::threshold_at_far)
// and the threshold chosen from it for a target rate (threshold_for_far),
// checked against counts done by hand on ten distances.
#include <cmath>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "testing.h"
#include "facekit/eval.h"
#include "facekit/match.h"

using namespace facekit;

namespace {

using facekit::testing::error_of;

// Ten impostor distances, shuffled: 0.1, 0.2, ..., 1.0.
const std::vector<double> kImpostors = {0.7, 0.1, 0.5, 1.0, 0.3, 0.9, 0.2, 0.6, 0.4, 0.8};

// How many of kImpostors a threshold accepts, counted one by one.
int accepted(double threshold) {
  int n = 0;
  for (double d : kImpostors) n += d <= threshold;
  return n;
}

TEST(FarTable, ThresholdAcceptsAtMostTheTargetShare) {
  // Target 0.1 of 10: one accepted (0.1), the cut midway to the next (0.2).
  eval::FarThreshold t = eval::threshold_at_far(kImpostors, 0.1, "tiny");
  EXPECT_DOUBLE_EQ(t.threshold, 0.15);
  EXPECT_DOUBLE_EQ(t.far, 0.1);
  EXPECT_EQ(t.impostors, 10);
  EXPECT_EQ(accepted(t.threshold), 1);
  // Target 0.25: floor(2.5) = 2 accepted, cut at 0.25.
  t = eval::threshold_at_far(kImpostors, 0.25, "tiny");
  EXPECT_DOUBLE_EQ(t.threshold, 0.25);
  EXPECT_DOUBLE_EQ(t.far, 0.2);
  EXPECT_EQ(accepted(t.threshold), 2);
}

TEST(FarTable, TiesAreNotSplitAndMissesAreNeverAccepted) {
  // 0.2 twice: target 0.2 would cut between the two, so only 0.1 is accepted.
  const eval::FarThreshold t = eval::threshold_at_far({0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, 0.2, "ties");
  EXPECT_DOUBLE_EQ(t.threshold, 0.15);
  EXPECT_DOUBLE_EQ(t.far, 0.1);
  // A missed pair (+inf) counts among the impostors and is never accepted.
  const double inf = std::numeric_limits<double>::infinity();
  const eval::FarThreshold m = eval::threshold_at_far({0.1, 0.2, 0.3, inf}, 0.5, "misses");
  EXPECT_DOUBLE_EQ(m.threshold, 0.25);
  EXPECT_DOUBLE_EQ(m.far, 0.5);
}

TEST(FarTable, RefusesWhatCannotBeRead) {
  EXPECT_NE(error_of([] { eval::threshold_at_far(kImpostors, 0.05, "tiny"); }).find("at least 1 / FAR"),
            std::string::npos);  // under 1 / N
  for (double bad : {0.0, 1.0, -1e-3, 2.0, std::nan("")})
    EXPECT_NE(error_of([bad] { eval::threshold_at_far(kImpostors, bad, "tiny"); }).find("(0, 1)"), std::string::npos)
        << bad;
  EXPECT_NE(error_of([] { eval::threshold_at_far({}, 0.1, "empty"); }).find("no impostor"), std::string::npos);
  EXPECT_NE(error_of([] { eval::threshold_at_far({0.1, std::nan("")}, 0.5, "nan"); }).find("NaN"), std::string::npos);
}

// A tiny card: its FAR table read from kImpostors.
Calibration tiny_card() {
  Calibration c;
  c.model = "tiny";
  c.metric = Metric::kCosine;
  c.threshold = 0.45;
  c.source = "card";
  for (const char* key : {"1e-1", "2e-1", "5e-1"})
    c.far_thresholds[key] = eval::threshold_at_far(kImpostors, std::stod(key), "tiny").threshold;
  return c;
}

TEST(FarChoice, PicksTheLargestRateAtOrBelowTheTarget) {
  const Calibration c = tiny_card();
  // By hand: 1e-1 → 0.15 (1 of 10 accepted), 2e-1 → 0.25 (2), 5e-1 → 0.55 (5).
  FarChoice f = threshold_for_far(c, 0.3);
  EXPECT_EQ(f.far, "2e-1");
  EXPECT_DOUBLE_EQ(f.threshold, 0.25);
  EXPECT_LE(accepted(f.threshold) / 10.0, 0.3);
  f = threshold_for_far(c, 0.1);  // a rate equal to the target is allowed
  EXPECT_EQ(f.far, "1e-1");
  EXPECT_EQ(accepted(f.threshold), 1);
  f = threshold_for_far(c, 0.99);
  EXPECT_EQ(f.far, "5e-1");
  EXPECT_DOUBLE_EQ(f.threshold, 0.55);
  EXPECT_EQ(accepted(f.threshold), 5);
}

TEST(FarChoice, RefusesTargetsAndTablesItCannotServe) {
  const Calibration c = tiny_card();
  for (double bad : {0.0, 1.0, -0.5, 7.0, std::nan(""), std::numeric_limits<double>::infinity()})
    EXPECT_NE(error_of([&] { threshold_for_far(c, bad); }).find("--far: must be a false accept rate in (0, 1)"),
              std::string::npos)
        << bad;
  EXPECT_NE(error_of([&] { threshold_for_far(c, 1e-3); }).find("goes down to 0.1 only"), std::string::npos);
  Calibration no_table = c;
  no_table.far_thresholds.clear();
  EXPECT_NE(error_of([&] { threshold_for_far(no_table, 1e-3); }).find("model tiny, metric cosine: has no FAR table"),
            std::string::npos);
  Calibration bad_key = c;
  bad_key.far_thresholds["often"] = 0.3;
  EXPECT_NE(error_of([&] { threshold_for_far(bad_key, 0.2); }).find("'often' is not a rate"), std::string::npos);
}

TEST(OperatingPoint, CountsEveryPairByHand) {
  // Genuine 0.1, 0.3, miss; impostor 0.2, 0.6, miss. At 0.25: TAR 1/3, FAR 1/3,
  // correct: 0.1 (same, accepted) and 0.6 (different, rejected) = 2 of 6.
  const std::vector<eval::ScoredPair> pairs = {{0.1, true}, {0.3, true}, eval::ScoredPair::miss(true),
                                               {0.2, false}, {0.6, false}, eval::ScoredPair::miss(false)};
  const eval::OperatingPoint p = eval::operating_point(pairs, 0.25, "hand");
  EXPECT_DOUBLE_EQ(p.tar, 1.0 / 3);
  EXPECT_DOUBLE_EQ(p.far, 1.0 / 3);
  EXPECT_DOUBLE_EQ(p.accuracy, 2.0 / 6);
  EXPECT_NE(error_of([&] { eval::operating_point({{0.1, true}}, 0.2, "one class"); }).find("one class"),
            std::string::npos);
}

}  // namespace
