// Evaluation: ROC, AUC, EER, TAR@FAR and accuracy against naive computations
// and hand-worked cases; the pair sources; the report and the ROC plot.
#include <cmath>
#include <fstream>
#include <functional>
#include <random>
#include <set>

#include <unistd.h>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace fs = std::filesystem;
using namespace facekit;
using namespace facekit::eval;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<ScoredPair> scored(const std::vector<double>& genuine, const std::vector<double>& impostors) {
  std::vector<ScoredPair> pairs;
  for (double d : genuine) pairs.push_back({d, true, -1});
  for (double d : impostors) pairs.push_back({d, false, -1});
  return pairs;
}

// The Mann–Whitney statistic by its definition, over every (genuine,
// impostor) pair.
double naive_auc(const std::vector<ScoredPair>& pairs) {
  double u = 0, count = 0;
  for (const auto& g : pairs)
    for (const auto& i : pairs)
      if (g.same && !i.same) {
        u += g.distance < i.distance ? 1 : g.distance == i.distance ? 0.5 : 0;
        count += 1;
      }
  return u / count;
}

TEST(Auc, EqualsNaiveMannWhitneyOnRandomDataWithTies) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> genuine(0.3, 0.15), impostor(0.6, 0.2);
    std::vector<ScoredPair> pairs;
    const int n = 100 + 50 * static_cast<int>(seed);
    for (int i = 0; i < n; ++i) {
      const bool same = rng() % 3 == 0;
      double d = same ? genuine(rng) : impostor(rng);
      if (seed % 2 == 0) d = std::round(d * 20) / 20;  // many ties
      pairs.push_back({d, same, -1});
    }
    EXPECT_NEAR(auc(pairs), naive_auc(pairs), 1e-12) << "seed " << seed;
  }
}

TEST(Auc, ExtremesAndAllTied) {
  EXPECT_DOUBLE_EQ(auc(scored({0.1, 0.2}, {0.3, 0.4})), 1);
  EXPECT_DOUBLE_EQ(auc(scored({0.5, 0.6}, {0.3, 0.4})), 0);
  EXPECT_DOUBLE_EQ(auc(scored({0.5, 0.5}, {0.5})), 0.5);
}

// Genuine {0.1, 0.2, 0.4}, impostors {0.3, 0.5, 0.6, 0.7}: worked by hand.
const std::vector<ScoredPair> kHand = scored({0.1, 0.2, 0.4}, {0.3, 0.5, 0.6, 0.7});

TEST(Roc, HandWorkedCase) {
  const auto points = roc(kHand);
  const std::vector<RocPoint> want = {{0.1, 0, 0},         {0.1, 0, 1.0 / 3},   {0.2, 0, 2.0 / 3}, {0.3, 0.25, 2.0 / 3},
                                      {0.4, 0.25, 1},      {0.5, 0.5, 1},       {0.6, 0.75, 1},    {0.7, 1, 1}};
  ASSERT_EQ(points.size(), want.size());
  EXPECT_LT(points[0].threshold, 0.1);  // rejects every pair
  for (size_t i = 1; i < want.size(); ++i) EXPECT_DOUBLE_EQ(points[i].threshold, want[i].threshold) << i;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_DOUBLE_EQ(points[i].far, want[i].far) << i;
    EXPECT_DOUBLE_EQ(points[i].tar, want[i].tar) << i;
  }
  EXPECT_DOUBLE_EQ(auc(kHand), 11.0 / 12);  // impostor 0.3 beats genuine 0.4 once in 12 pairs
}

TEST(Roc, TiesMoveTogether) {
  const auto points = roc(scored({0.2, 0.5}, {0.5, 0.9}));
  ASSERT_EQ(points.size(), 4u);
  EXPECT_DOUBLE_EQ(points[2].threshold, 0.5);
  EXPECT_DOUBLE_EQ(points[2].far, 0.5);
  EXPECT_DOUBLE_EQ(points[2].tar, 1);
}

TEST(Eer, HandWorkedCases) {
  // FAR − FRR is −1/12 at 0.3 and +1/4 at 0.4: a quarter of the way, FAR = FRR = 1/4.
  const Eer e = equal_error_rate(roc(kHand));
  EXPECT_NEAR(e.rate, 0.25, 1e-12);
  EXPECT_NEAR(e.threshold, 0.325, 1e-12);
  const Eer separated = equal_error_rate(roc(scored({0.1, 0.2}, {0.5, 0.6})));
  EXPECT_DOUBLE_EQ(separated.rate, 0);
  EXPECT_DOUBLE_EQ(separated.threshold, 0.2);
  EXPECT_NEAR(equal_error_rate(roc(scored({0.5, 0.6}, {0.1, 0.2}))).rate, 1, 1e-12);
}

// 1000 impostors at distances 0, 1, ..., 999 and 100 genuine pairs at
// 0.5, 1.5, ..., 99.5: FAR ≤ 1e-2 allows 10 impostors (threshold 9.5, 10
// genuine accepted), 1e-3 one (threshold 0.5, 1 genuine); 1e-4 is below 1/1000.
TEST(TarAtFar, HandWorkedCaseAndUnmeasurableTarget) {
  std::vector<double> genuine, impostors;
  for (int k = 0; k < 1000; ++k) impostors.push_back(k);
  for (int j = 0; j < 100; ++j) genuine.push_back(j + 0.5);
  const auto points = roc(scored(genuine, impostors));
  const auto t2 = tar_at_far(points, 1000, 1e-2);
  EXPECT_TRUE(t2.measurable);
  EXPECT_DOUBLE_EQ(t2.tar, 0.1);
  EXPECT_DOUBLE_EQ(t2.threshold, 9.5);
  EXPECT_DOUBLE_EQ(t2.far, 0.01);
  const auto t3 = tar_at_far(points, 1000, 1e-3);
  EXPECT_TRUE(t3.measurable);
  EXPECT_DOUBLE_EQ(t3.tar, 0.01);
  EXPECT_DOUBLE_EQ(t3.threshold, 0.5);
  const auto t4 = tar_at_far(points, 1000, 1e-4);
  EXPECT_FALSE(t4.measurable);
  EXPECT_TRUE(std::isnan(t4.tar) && std::isnan(t4.threshold));
  EXPECT_DOUBLE_EQ(t4.lowest_measurable_far, 1e-3);
  EXPECT_NE(error_of([&] { tar_at_far(points, 1000, 0); }).find("not in (0, 1]"), std::string::npos);
}

// The best accuracy over every threshold tried one by one.
double naive_best_accuracy(const std::vector<ScoredPair>& pairs) {
  double best = accuracy_at(pairs, -1e300);
  for (const auto& p : pairs) best = std::max(best, accuracy_at(pairs, p.distance));
  return best;
}

TEST(Accuracy, BestThresholdHandCaseAndNaive) {
  // Accuracy 6/7 at 0.2 (and at 0.4, later): the midpoint of [0.2, 0.3) wins.
  const auto best = best_accuracy(kHand);
  EXPECT_DOUBLE_EQ(best.accuracy, 6.0 / 7);
  EXPECT_DOUBLE_EQ(best.threshold, 0.25);
  EXPECT_DOUBLE_EQ(accuracy_at(kHand, best.threshold), best.accuracy);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<ScoredPair> pairs;
    for (int i = 0; i < 200; ++i) {
      const bool same = unit(rng) < 0.5;
      pairs.push_back({std::round((same ? unit(rng) : 0.4 + unit(rng)) * 50) / 50, same, -1});
    }
    const auto b = best_accuracy(pairs);
    EXPECT_DOUBLE_EQ(b.accuracy, naive_best_accuracy(pairs));
    EXPECT_DOUBLE_EQ(accuracy_at(pairs, b.threshold), b.accuracy);
  }
}

TEST(Accuracy, CrossValidationUsesOwnFoldsOrRoundRobin) {
  // Separable everywhere but fold 0, whose pairs are swapped: the thresholds
  // learnt elsewhere get fold 0 entirely wrong.
  std::vector<ScoredPair> pairs;
  for (int fold = 0; fold < 10; ++fold)
    for (int i = 0; i < 4; ++i) {
      pairs.push_back({fold == 0 ? 0.9 : 0.1 + 0.01 * i, true, fold});
      pairs.push_back({fold == 0 ? 0.1 : 0.9 - 0.01 * i, false, fold});
    }
  const auto cv = cross_validate(pairs, 10);
  ASSERT_EQ(cv.fold_accuracy.size(), 10u);
  EXPECT_DOUBLE_EQ(cv.fold_accuracy[0], 0);
  for (int f = 1; f < 10; ++f) EXPECT_DOUBLE_EQ(cv.fold_accuracy[f], 1) << f;
  EXPECT_DOUBLE_EQ(cv.mean_accuracy, 0.9);
  EXPECT_NEAR(cv.std_accuracy, 0.3, 1e-12);  // nine 1s and a 0
  // Without folds, each class is dealt round-robin: every fold holds both.
  for (auto& p : pairs) p.fold = -1;
  const auto mixed = cross_validate(pairs, 10);
  EXPECT_GT(mixed.mean_accuracy, 0.5);
  EXPECT_NE(error_of([&] { cross_validate(scored({0.1}, {0.2}), 10); }).find("2 pairs cannot fill 10 folds"), std::string::npos);
}

TEST(Report, JsonAndCalibration) {
  std::mt19937 rng(11);
  std::normal_distribution<double> genuine(0.3, 0.1), impostor(0.7, 0.1);
  std::vector<ScoredPair> pairs;
  for (int i = 0; i < 500; ++i) pairs.push_back({genuine(rng), true, -1});
  for (int i = 0; i < 500; ++i) pairs.push_back({impostor(rng), false, -1});
  const Report r = evaluate(pairs, "synthetic");
  EXPECT_EQ(r.genuine, 500);
  EXPECT_EQ(r.impostors, 500);
  EXPECT_GT(r.auc, 0.99);
  EXPECT_GT(r.logistic.a, 0);
  EXPECT_NEAR(r.logistic.probability_same(0.5), 0.5, 0.1);  // classes meet half-way
  const auto j = report_to_json(r, false);
  EXPECT_DOUBLE_EQ(j["auc"].get<double>(), r.auc);
  EXPECT_TRUE(j["tar_at_far"]["1e-2"]["measurable"].get<bool>());
  EXPECT_FALSE(j["tar_at_far"]["1e-3"]["measurable"].get<bool>());  // 500 impostors
  EXPECT_TRUE(j["tar_at_far"]["1e-3"]["tar"].is_null());
  EXPECT_FALSE(j.contains("roc"));
  EXPECT_EQ(report_to_json(r, true)["roc"].size(), r.roc.size());
  const Calibration c = calibration_from(r, "m", Metric::kCosine, "synthetic");
  EXPECT_DOUBLE_EQ(*c.threshold, r.best.threshold);
  EXPECT_EQ(c.far_thresholds.size(), 1u);  // only 1e-2 is measurable
  EXPECT_EQ(c.pairs, 1000);
  EXPECT_NE(error_of([] { evaluate(scored({0.1, 0.2}, {}), "pairs.csv"); }).find("pairs.csv: needs both genuine and impostor"),
            std::string::npos);
  EXPECT_NE(error_of([] { evaluate(scored({0.1, NAN}, {0.3}), "x"); }).find("pair 1 has a non-finite distance"), std::string::npos);
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/facekit-eval-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(LfwPairs, ReadsFoldsSameAndDifferentLines) {
  TempDir dir;
  const auto file = dir.write("pairs.txt",
                              "2\t2\n"
                              "Abel_Pacheco\t1\t4\n"
                              "Akhmed_Zakayev\t1\t3\n"
                              "Abdel_Madi_Shabneh\t1\tDean_Barker\t1\n"
                              "Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1\n"
                              "Vojislav_Kostunica\t12\t123\r\n"  // CRLF is fine
                              "\n"
                              "Zoe_Ball 1 2\n"
                              "Zico\t1\tZoe_Ball\t2\n"
                              "Zico 2 Zoe_Ball 1\n");
  const auto pairs = read_lfw_pairs(file, "/data/lfw");
  ASSERT_EQ(pairs.size(), 8u);
  EXPECT_EQ(pairs[0].a, fs::path("/data/lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg"));
  EXPECT_EQ(pairs[0].b, fs::path("/data/lfw/Abel_Pacheco/Abel_Pacheco_0004.jpg"));
  EXPECT_TRUE(pairs[0].same);
  EXPECT_EQ(pairs[2].a, fs::path("/data/lfw/Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg"));
  EXPECT_EQ(pairs[2].b, fs::path("/data/lfw/Dean_Barker/Dean_Barker_0001.jpg"));
  EXPECT_FALSE(pairs[2].same);
  EXPECT_EQ(pairs[4].b, fs::path("/data/lfw/Vojislav_Kostunica/Vojislav_Kostunica_0123.jpg"));
  const std::vector<int> folds = {0, 0, 0, 0, 1, 1, 1, 1};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(pairs[i].fold, folds[i]) << i;
  // One number: a single fold (pairsDevTrain.txt), no split of its own.
  const auto dev = read_lfw_pairs(dir.write("dev.txt", "1\nA 1 2\nA 1 B 1\n"), "r");
  ASSERT_EQ(dev.size(), 2u);
  EXPECT_EQ(dev[1].fold, -1);
}

TEST(LfwPairs, ErrorsNameFileAndLine) {
  TempDir dir;
  const auto error = [&](const std::string& text) {
    return error_of([&] { read_lfw_pairs(dir.write("p.txt", text), "r"); });
  };
  const std::string p = (dir.path() / "p.txt").string();
  EXPECT_NE(error("1 1\nA 1 2\nA 1\n").find(p + ":3: expected 3 fields (name i j) or 4 (name1 i name2 j), got 2"),
            std::string::npos);
  EXPECT_NE(error("1 1\nA 1 2\nA 1 B 1 C\n").find(p + ":3: expected 3 fields"), std::string::npos);
  EXPECT_NE(error("1 1\nA x 2\nA 1 B 1\n").find(p + ":2: image number 'x' is not a positive integer"), std::string::npos);
  EXPECT_NE(error("1 1\nA 0 2\nA 1 B 1\n").find(":2: image number '0'"), std::string::npos);
  EXPECT_NE(error("1 1\nA 1 B 1\nA 1 2\n").find(":2: a different-person line"), std::string::npos);
  EXPECT_NE(error("1 1\nA 1 2\n").find(":2: the file ends after 1 pairs; the header announces 2"), std::string::npos);
  EXPECT_NE(error("1 1\nA 1 2\nA 1 B 1\nA 1 2\n").find(":4: more pairs than the header announces"), std::string::npos);
  EXPECT_NE(error("ten 300\n").find(":1: fold count 'ten'"), std::string::npos);
  EXPECT_NE(error("1 2 3\n").find(":1: expected a header"), std::string::npos);
  EXPECT_NE(error("99999999999 99999999999\n").find(":1: the header announces an implausible"), std::string::npos);
  EXPECT_NE(error("99999999999999999999999 1\n").find(":1: fold count '99999999999999999999999'"), std::string::npos);
  EXPECT_NE(error("").find(p + ": is empty"), std::string::npos);
  EXPECT_NE(error_of([&] { read_lfw_pairs(dir.path() / "missing.txt", "r"); }).find("missing.txt: cannot be opened"),
            std::string::npos);
}

TEST(CsvPairs, HeaderQuotesLabelsAndErrors) {
  TempDir dir;
  const auto file = dir.write("pairs.csv",
                              "a,b,same\n"
                              "x/1.jpg,x/2.jpg,1\n"
                              "\"y, jr/1.jpg\", \"z \"\"q\"\"/2.jpg\" , false\n"
                              "/abs/1.jpg,x/3.jpg,TRUE\r\n");
  const auto pairs = read_csv_pairs(file, "/root");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].a, fs::path("/root/x/1.jpg"));
  EXPECT_TRUE(pairs[0].same);
  EXPECT_EQ(pairs[1].a, fs::path("/root/y, jr/1.jpg"));
  EXPECT_EQ(pairs[1].b, fs::path("/root/z \"q\"/2.jpg"));
  EXPECT_FALSE(pairs[1].same);
  EXPECT_EQ(pairs[2].a, fs::path("/abs/1.jpg"));
  EXPECT_TRUE(pairs[2].same);
  EXPECT_EQ(pairs[2].fold, -1);
  const std::string p = (dir.path() / "bad.csv").string();
  EXPECT_NE(error_of([&] { read_csv_pairs(dir.write("bad.csv", "a,b,1\na,b,maybe\n"), "r"); })
                .find(p + ":2: the label 'maybe' is not 1, 0, true or false"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_csv_pairs(dir.write("bad.csv", "a,b,1\na,b\n"), "r"); }).find(p + ":2: expected 3 fields"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_csv_pairs(dir.write("bad.csv", "\"a,b,1\n"), "r"); }).find(p + ":1: unterminated"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_csv_pairs(dir.write("bad.csv", "a,b,same\n"), "r"); }).find(p + ": holds no pairs"),
            std::string::npos);
}

// root/<identity>/<image>: sizes[i] images for identity i (empty files: the
// sampler reads names only), plus a non-image file and a stray top-level file.
fs::path make_dataset(const TempDir& dir, const std::vector<int>& sizes) {
  const fs::path root = dir.path() / "faces";
  for (size_t i = 0; i < sizes.size(); ++i) {
    const fs::path folder = root / ("person" + std::to_string(i));
    fs::create_directories(folder);
    for (int k = 0; k < sizes[i]; ++k) std::ofstream(folder / ("img" + std::to_string(k) + (k % 2 ? ".PNG" : ".jpg")));
    std::ofstream(folder / "notes.txt");
  }
  std::ofstream(root / "README.jpg");
  return root;
}

std::string identity(const fs::path& image) { return image.parent_path().filename().string(); }

TEST(FolderPairs, BalancedDistinctDeterministicAndFolded) {
  TempDir dir;
  const auto root = make_dataset(dir, {6, 5, 1, 8, 4});
  FolderSampling options;
  options.pairs_per_class = 30;
  const auto pairs = sample_folder_pairs(root, options);
  ASSERT_EQ(pairs.size(), 60u);
  std::set<std::pair<fs::path, fs::path>> seen;
  int genuine = 0;
  for (const auto& p : pairs) {
    genuine += p.same;
    EXPECT_EQ(identity(p.a) == identity(p.b), p.same) << p.a << " " << p.b;
    EXPECT_NE(p.a, p.b);
    EXPECT_NE(p.a.extension(), ".txt");
    EXPECT_TRUE(seen.insert(std::minmax(p.a, p.b)).second) << "duplicate " << p.a << " " << p.b;
  }
  EXPECT_EQ(genuine, 30);
  for (size_t i = 1; i < pairs.size(); ++i) EXPECT_LE(pairs[i - 1].fold, pairs[i].fold);  // ordered by fold
  for (int f = 0; f < 10; ++f) {  // 3 genuine + 3 impostor pairs per fold
    int same = 0, different = 0;
    for (const auto& p : pairs) (p.fold == f ? (p.same ? same : different) : same) += p.fold == f;
    EXPECT_EQ(same, 3) << f;
    EXPECT_EQ(different, 3) << f;
  }
  // Same seed, same pairs; another seed, other pairs.
  const auto again = sample_folder_pairs(root, options);
  for (size_t i = 0; i < pairs.size(); ++i) EXPECT_TRUE(pairs[i].a == again[i].a && pairs[i].b == again[i].b) << i;
  options.seed += 1;
  const auto other = sample_folder_pairs(root, options);
  size_t differing = 0;
  for (size_t i = 0; i < pairs.size(); ++i) differing += pairs[i].a != other[i].a || pairs[i].b != other[i].b;
  EXPECT_GT(differing, 0u);
}

TEST(FolderPairs, TakesEveryPairWhenFewExist) {
  TempDir dir;
  const auto root = make_dataset(dir, {3, 3, 3});  // 3·C(3,2) = 9 genuine, 27 impostor pairs
  const auto pairs = sample_folder_pairs(root, {1000, 5, 10});
  ASSERT_EQ(pairs.size(), 18u);
  std::set<std::pair<fs::path, fs::path>> genuine;
  for (const auto& p : pairs)
    if (p.same) genuine.insert(std::minmax(p.a, p.b));
  EXPECT_EQ(genuine.size(), 9u);
  TempDir other;
  const auto lopsided = sample_folder_pairs(make_dataset(other, {5, 1}), {1000, 5, 10});  // 10 genuine, 5 impostor
  ASSERT_EQ(lopsided.size(), 10u);
  std::set<fs::path> partners;
  for (const auto& p : lopsided)
    if (!p.same) partners.insert(identity(p.a) == "person0" ? p.a : p.b);
  EXPECT_EQ(partners.size(), 5u);  // each image of person0 meets person1's once
}

TEST(FolderPairs, Errors) {
  TempDir dir;
  EXPECT_NE(error_of([&] { sample_folder_pairs(dir.path() / "none"); }).find("is not a folder"), std::string::npos);
  EXPECT_NE(error_of([&] { sample_folder_pairs(make_dataset(dir, {4})); }).find("at least two identity folders"),
            std::string::npos);
  TempDir other;
  EXPECT_NE(error_of([&] { sample_folder_pairs(make_dataset(other, {1, 1, 1})); }).find("no identity has two images"),
            std::string::npos);
}

TEST(RocPlot, WritesAnImageWithTheCurves) {
  TempDir dir;
  const auto a = roc(kHand);
  const auto b = roc(scored({0.1, 0.2, 0.3}, {0.15, 0.5, 0.6}));
  for (bool log_far : {true, false}) {
    const fs::path file = dir.path() / (log_far ? "log.png" : "linear.png");
    RocPlotOptions options;
    options.log_far = log_far;
    write_roc_plot(file, {{"model a", a}, {"model b", b}}, options);
    cv::Mat image = cv::imread(file.string());
    ASSERT_FALSE(image.empty()) << file;
    cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    EXPECT_EQ(image.cols, options.width);
    EXPECT_EQ(image.rows, options.height);
    int blue = 0, red = 0;  // the first two curve colours
    for (int y = 0; y < image.rows; ++y)
      for (int x = 0; x < image.cols; ++x) {
        const auto px = image.at<cv::Vec3b>(y, x);
        blue += px == cv::Vec3b(31, 119, 180);
        red += px == cv::Vec3b(214, 39, 40);
      }
    EXPECT_GT(blue, 100) << file;
    EXPECT_GT(red, 100) << file;
  }
  EXPECT_NE(error_of([&] { write_roc_plot(dir.path() / "x.png", {}); }).find("no ROC curve"), std::string::npos);
  EXPECT_NE(error_of([&] { write_roc_plot(dir.path() / "no" / "such" / "dir.png", {{"a", a}}); }).find("dir.png"),
            std::string::npos);
}

}  // namespace
