// Online triplet mining on hand-made distances: points on a line, so every
// distance and every choice can be worked out by hand.
#include <vector>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "train/losses.h"

namespace facekit::train {
namespace {

// Six points on a line: 0, 1, 2 are identity 0; 3, 4 identity 1; 5 identity 2
// (no positive, so never an anchor).
const std::vector<double> kPositions = {0, 0.8, 3, 2, 5, -4};
const std::vector<int64_t> kLabels = {0, 0, 0, 1, 1, 2};

torch::Tensor line_distances() {
  const torch::Tensor x = torch::tensor(kPositions, torch::kDouble);
  return (x.unsqueeze(0) - x.unsqueeze(1)).abs();
}
torch::Tensor labels() { return torch::tensor(kLabels, torch::kInt64); }
std::vector<int64_t> values(const torch::Tensor& t) { return {t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel()}; }

TEST(MineTriplets, BatchHardPicksTheFarthestPositiveAndNearestNegative) {
  const Triplets t = mine_triplets(line_distances(), labels(), Mining::kBatchHard, 0.2f);
  EXPECT_EQ(values(t.anchor), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  // e.g. anchor 0: positives at 0.8 and 3 → 2; negatives at 2, 5, 4 → 3.
  EXPECT_EQ(values(t.positive), (std::vector<int64_t>{2, 2, 0, 4, 3}));
  EXPECT_EQ(values(t.negative), (std::vector<int64_t>{3, 3, 3, 2, 2}));
}

TEST(MineTriplets, SemiHardPicksTheNearestNegativeBeyondThePositiveWithinTheMargin) {
  const Triplets t = mine_triplets(line_distances(), labels(), Mining::kSemiHard, 2.5f);
  // Every (anchor, positive) pair, in row order.
  EXPECT_EQ(values(t.anchor), (std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 4}));
  EXPECT_EQ(values(t.positive), (std::vector<int64_t>{1, 2, 0, 2, 0, 1, 4, 3}));
  // (0,2): d 3, window (3, 5.5) holds 5 (4) and 4 (5) → 5, the nearer.
  // (1,2): d 2.2, window (2.2, 4.7) holds only 4 (4.2).
  // (2,0), (2,1), (3,4): no negative in the window → the hardest (nearest).
  // (4,3): d 3, window (3, 5.5) holds 0 (5) and 1 (4.2) → 1.
  EXPECT_EQ(values(t.negative), (std::vector<int64_t>{3, 5, 3, 4, 3, 3, 2, 1}));
}

TEST(MineTriplets, BatchAllKeepsTheTripletsWithAPositiveLoss) {
  // Counted by hand: per anchor 4, 3, 4, 3, 3 triplets with d(a,p) + 2.5 > d(a,n).
  const Triplets t = mine_triplets(line_distances(), labels(), Mining::kBatchAll, 2.5f);
  ASSERT_EQ(t.anchor.numel(), 17);
  ASSERT_EQ(t.positive.numel(), 17);
  ASSERT_EQ(t.negative.numel(), 17);
  const torch::Tensor d = line_distances();
  for (int64_t i = 0; i < 17; ++i) {
    const int64_t a = t.anchor[i].item<int64_t>(), p = t.positive[i].item<int64_t>(),
                  n = t.negative[i].item<int64_t>();
    EXPECT_TRUE(a != p && kLabels[a] == kLabels[p] && kLabels[a] != kLabels[n]) << a << " " << p << " " << n;
    EXPECT_GT(d[a][p].item<double>() + 2.5 - d[a][n].item<double>(), 0) << a << " " << p << " " << n;
  }
  // A margin of 0 keeps only the triplets with the negative nearer than the
  // positive: 1, 1, 4, 3, 1 per anchor.
  EXPECT_EQ(mine_triplets(d, labels(), Mining::kBatchAll, 0).anchor.numel(), 10);
}

TEST(MineTriplets, ABatchWithoutPositivesGivesNoTriplet) {
  const torch::Tensor distances = torch::ones({3, 3}) - torch::eye(3);
  for (Mining mining : {Mining::kBatchAll, Mining::kBatchHard, Mining::kSemiHard})
    EXPECT_EQ(mine_triplets(distances, torch::tensor({0, 1, 2}, torch::kInt64), mining, 0.2f).anchor.numel(), 0);
}

TEST(MineTriplets, BadInputsAreErrors) {
  EXPECT_THROW(mine_triplets(torch::ones({3, 2}), torch::zeros({3}, torch::kInt64), Mining::kBatchHard, 0.2f), Error);
  EXPECT_THROW(mine_triplets(torch::ones({3, 3}), torch::zeros({2}, torch::kInt64), Mining::kBatchHard, 0.2f), Error);
  EXPECT_THROW(mine_triplets(torch::ones({3, 3}), torch::zeros({3}), Mining::kBatchHard, 0.2f), Error);
}

}  // namespace
}  // namespace facekit::train
