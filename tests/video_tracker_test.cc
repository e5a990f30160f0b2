// The Tracker without models: assignment against brute force, association of
// two people crossing, survival of misses, and the evidence arithmetic of
// video.h computed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "facekit/error.h"
#include "facekit/video.h"
#include "testing.h"

namespace facekit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The cheapest assignment by trying every permutation: the total cost of the
// allowed pairs taken, most pairs first (as assign_min_cost prefers).
std::pair<int, double> brute_force(const std::vector<std::vector<double>>& cost) {
  const size_t rows = cost.size(), columns = cost[0].size();
  std::vector<int> perm(std::max(rows, columns));
  std::iota(perm.begin(), perm.end(), 0);
  std::pair<int, double> best{-1, 0};
  do {
    int pairs = 0;
    double total = 0;
    for (size_t r = 0; r < rows; ++r)
      if (static_cast<size_t>(perm[r]) < columns && std::isfinite(cost[r][static_cast<size_t>(perm[r])])) {
        ++pairs;
        total += cost[r][static_cast<size_t>(perm[r])];
      }
    if (pairs > best.first || (pairs == best.first && total < best.second - 1e-12)) best = {pairs, total};
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(VideoAssignment, HandExampleAndBruteForce) {
  // By hand: 1 + 2 + 2 = 5 (row 0 → 1, row 1 → 0, row 2 → 2) is the least of the six.
  EXPECT_EQ(assign_min_cost({{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(assign_min_cost({{kInf, 1}, {kInf, 0.5}}), (std::vector<int>{-1, 1}));
  EXPECT_TRUE(assign_min_cost({}).empty());
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 3);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t rows = 1 + rng() % 5, columns = 1 + rng() % 5;
    std::vector<std::vector<double>> cost(rows, std::vector<double>(columns));
    for (auto& row : cost)
      for (double& c : row) c = rng() % 4 == 0 ? kInf : u(rng);
    const std::vector<int> got = assign_min_cost(cost);
    int pairs = 0;
    double total = 0;
    std::vector<bool> used(columns, false);
    for (size_t r = 0; r < rows; ++r) {
      if (got[r] < 0) continue;
      ASSERT_FALSE(used[static_cast<size_t>(got[r])]);
      used[static_cast<size_t>(got[r])] = true;
      ASSERT_TRUE(std::isfinite(cost[r][static_cast<size_t>(got[r])]));
      ++pairs;
      total += cost[r][static_cast<size_t>(got[r])];
    }
    const auto [want_pairs, want_total] = brute_force(cost);
    EXPECT_EQ(pairs, want_pairs) << "trial " << trial;
    EXPECT_NEAR(total, want_total, 1e-9) << "trial " << trial;
  }
  EXPECT_NE(testing::error_of([] { assign_min_cost({{1, 2}, {3}}); }).find("ragged"), std::string::npos);
  EXPECT_NE(testing::error_of([] { assign_min_cost({{std::nan("")}}); }).find("NaN"), std::string::npos);
}

std::vector<float> unit_vector(int seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::normal_distribution<float> n;
  std::vector<float> v(64);
  for (float& x : v) x = n(rng);
  return l2_normalize(v);
}

Observation seen(const cv::Rect2f& box, const std::vector<float>& embedding, const std::string& who, double confidence) {
  Observation o;
  o.face.box = box;
  o.embedding = embedding;
  Identification id;
  if (!who.empty()) id.identity = who;
  id.confidence = confidence;
  o.identification = id;
  return o;
}

TrackerOptions options() {
  TrackerOptions o;
  o.gate = 0.5;  // cosine
  o.max_age = 6;
  return o;
}

TEST(VideoTracker, TwoPeopleCrossingKeepTheirTracks) {
  Tracker tracker(options());
  const std::vector<float> ann = unit_vector(1), bo = unit_vector(2);
  std::map<int, std::string> who_of_track;
  int switches = 0;
  for (int f = 0; f <= 40; f += 2) {
    // Ann goes right, Bo left, on the same row: their boxes meet at frame 20.
    const cv::Rect2f a(100 + 10.0f * f, 200, 80, 80), b(500 - 10.0f * f, 200, 80, 80);
    // Detections in a varying order, so that the order carries no identity.
    std::vector<Observation> faces = {seen(a, ann, "Ann", 0.9), seen(b, bo, "Bo", 0.9)};
    if (f % 4 == 0) std::swap(faces[0], faces[1]);
    tracker.update(f, f / 30.0, faces);
    if (iou(a, b) > 0.9f) continue;  // who is where cannot be told from the boxes
    for (const TrackState& t : tracker.tracks()) {
      const std::string truth = iou(t.box, a) > iou(t.box, b) ? "Ann" : "Bo";
      auto [it, fresh] = who_of_track.emplace(t.id, truth);
      if (!fresh && it->second != truth) ++switches;
      EXPECT_EQ(t.identity.value_or(""), truth) << "frame " << f;
    }
  }
  EXPECT_EQ(switches, 0);
  EXPECT_EQ(who_of_track.size(), 2u) << "one track per person";
}

TEST(VideoTracker, SurvivesMissesUpToMaxAgeAndMovesBetweenDetections) {
  Tracker tracker(options());  // max_age 6
  const std::vector<float> ann = unit_vector(1);
  auto events = tracker.update(0, 0, std::vector<Observation>{seen({100, 100, 50, 50}, ann, "Ann", 0.9)});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, TrackEvent::Kind::kStarted);
  EXPECT_EQ(events[1].kind, TrackEvent::Kind::kIdentified);
  tracker.update(2, 0, std::vector<Observation>{seen({110, 100, 50, 50}, ann, "Ann", 0.9)});
  tracker.update(3, 0, std::nullopt);  // between detections: moved at 5 px a frame
  EXPECT_FLOAT_EQ(tracker.tracks().at(0).box.x, 115);
  tracker.update(8, 0, std::vector<Observation>{});  // 6 frames unseen: still alive
  ASSERT_EQ(tracker.tracks().size(), 1u);
  // Seen again far from where it was predicted: the embedding alone links it.
  events = tracker.update(9, 0, std::vector<Observation>{seen({400, 300, 50, 50}, ann, "Ann", 0.9)});
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(tracker.tracks().at(0).id, 1);
  events = tracker.update(16, 0.5, std::vector<Observation>{});  // 7 frames unseen: ended
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TrackEvent::Kind::kEnded);
  EXPECT_EQ(events[0].track.last_seen_frame, 9);
  EXPECT_TRUE(tracker.tracks().empty());
  // Someone else where Ann was: a new track, not Ann's.
  tracker.update(17, 0.6, std::vector<Observation>{seen({400, 300, 50, 50}, unit_vector(9), "", 0.8)});
  EXPECT_EQ(tracker.tracks().at(0).id, 2);
}

TEST(VideoTracker, EvidenceAndConfidenceAsDefined) {
  TrackerOptions o = options();
  o.decide_confidence = 0.7;
  Tracker tracker(o);
  const std::vector<float> ann = unit_vector(1);
  const cv::Rect2f box(100, 100, 60, 60);
  auto step = [&](int f, const std::string& who, double c) {
    return tracker.update(f, f, std::vector<Observation>{seen(box, ann, who, c)});
  };
  step(0, "Ann", 0.9);  // λ = 0.9, confidence 1 − e^−0.9 = 0.593: under 0.7, undecided
  TrackState t = tracker.tracks().at(0);
  EXPECT_NEAR(t.evidence, 0.9, 1e-12);
  EXPECT_NEAR(t.confidence, 1 - std::exp(-0.9), 1e-12);
  EXPECT_EQ(t.leading, "Ann");
  EXPECT_FALSE(t.identity);
  auto events = step(1, "Ann", 0.6);  // λ = 1.5, 0.777: identified
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TrackEvent::Kind::kIdentified);
  EXPECT_EQ(events[0].track.identity, "Ann");
  EXPECT_NEAR(events[0].track.confidence, 1 - std::exp(-1.5), 1e-12);
  events = step(2, "Bo", 0.8);  // λ = 1.5 − 0.8 = 0.7, 0.503: falls under, identity dropped
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TrackEvent::Kind::kChanged);
  EXPECT_FALSE(events[0].track.identity);
  EXPECT_NEAR(events[0].track.evidence, 0.7, 1e-12);
  step(3, "", 0.5);  // "unknown" votes too: λ = 1.5 − 1.3 = 0.2
  EXPECT_NEAR(tracker.tracks().at(0).evidence, 0.2, 1e-12);
  step(4, "Bo", 0.9);  // W(Bo) = 1.7 leads: λ = 1.7 − 2.0 < 0, confidence 0
  t = tracker.tracks().at(0);
  EXPECT_EQ(t.leading, "Bo");
  EXPECT_EQ(t.confidence, 0);
  events = tracker.finish(5, 5);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, TrackEvent::Kind::kEnded);
}

TEST(VideoTracker, AttributesAveragedWithTheirUncertainty) {
  Tracker tracker(options());
  const std::vector<float> ann = unit_vector(1);
  const double years[] = {30, 34}, spread[] = {3, 5};
  for (int f = 0; f < 2; ++f) {
    Observation o = seen({100, 100, 60, 60}, ann, "Ann", 0.9);
    FaceAnalysis a;
    a.age = AgeEstimate{static_cast<float>(years[f]), static_cast<float>(spread[f])};
    a.gender = f == 0 ? "male" : "female";
    a.gender_probability = 0.8f;  // P(male): 0.8 then 0.2
    o.analysis = a;
    tracker.update(f, f, std::vector<Observation>{o});
  }
  const TrackAttributes& a = tracker.tracks().at(0).attributes;
  ASSERT_TRUE(a.age && a.male_probability);
  EXPECT_NEAR(a.age->mean, 32, 1e-5);
  // sqrt(mean σ² + variance) = sqrt((9 + 25)/2 + 4) = sqrt(21).
  EXPECT_NEAR(a.age->uncertainty, std::sqrt(21.0), 1e-5);
  EXPECT_EQ(a.age->frames, 2);
  EXPECT_NEAR(a.male_probability->mean, 0.5, 1e-6);
  EXPECT_NEAR(a.male_probability->uncertainty, 0.3, 1e-6);
  EXPECT_FALSE(a.emotion);
}

TEST(VideoTracker, OptionsAndFramesValidated) {
  for (auto bad : std::vector<std::function<void(TrackerOptions&)>>{
           [](TrackerOptions& o) { o.gate = 0; }, [](TrackerOptions& o) { o.gate = std::nan(""); },
           [](TrackerOptions& o) { o.min_iou = 1.5; }, [](TrackerOptions& o) { o.min_iou = std::nan(""); },
           [](TrackerOptions& o) { o.max_age = -1; }, [](TrackerOptions& o) { o.decide_confidence = 1; }}) {
    TrackerOptions o = options();
    bad(o);
    EXPECT_NE(testing::error_of([&] { Tracker t(o); }), "");
  }
  Tracker tracker(options());
  tracker.update(5, 0, std::nullopt);
  EXPECT_NE(testing::error_of([&] { tracker.update(5, 0, std::nullopt); }).find("not after frame 5"), std::string::npos);
  tracker.update(6, 0, std::vector<Observation>{seen({0, 0, 40, 40}, unit_vector(1), "", 0.5)});
  std::vector<float> short_vector(8, 1.0f);
  EXPECT_NE(testing::error_of([&] {
              tracker.update(7, 0, std::vector<Observation>{seen({0, 0, 40, 40}, short_vector, "", 0.5)});
            }).find("dimension"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] { frames_video("clip", {}, 0); }).find("fps"), std::string::npos);
  auto source = frames_video("clip", {cv::Mat()}, 30);
  EXPECT_NE(testing::error_of([&] { source->next(); }).find("clip: frame 0: is empty"), std::string::npos);
  EXPECT_NE(testing::error_of([] { open_video("/nonexistent/clip.avi"); }).find("no such file"), std::string::npos);
  EXPECT_NE(testing::error_of([] { open_video(""); }).find("empty"), std::string::npos);
  EXPECT_NE(testing::error_of([] { AnnotatedVideo("out.gif", {64, 64}, 30); }).find("writable"), std::string::npos);
}

}  // namespace
}  // namespace facekit
