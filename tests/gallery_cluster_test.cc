// Clustering: well-separated groups are found whole, outliers stay alone,
// representatives are the members nearest their cluster's centroid.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "facekit/cluster.h"
#include "facekit/error.h"

using namespace facekit;

namespace {

// `groups` groups of `size` vectors around random directions, interleaved
// (vector i belongs to group i % groups), then `outliers` lone vectors.
std::vector<std::vector<float>> grouped(int groups, int size, int outliers, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  auto random = [&](float sigma) {
    std::vector<float> v(dim);
    for (auto& x : v) x = sigma * normal(rng);
    return v;
  };
  std::vector<std::vector<float>> centres;
  for (int g = 0; g < groups; ++g) centres.push_back(random(1));
  std::vector<std::vector<float>> out;
  for (int i = 0; i < groups * size; ++i) {
    auto v = random(0.1f);
    for (int j = 0; j < dim; ++j) v[j] += centres[i % groups][j];
    out.push_back(v);
  }
  for (int i = 0; i < outliers; ++i) out.push_back(random(1));
  return out;
}

TEST(Cluster, FindsSeparatedGroupsAndLeavesOutliersAlone) {
  constexpr int kGroups = 5, kSize = 12, kOutliers = 4, kDim = 48;
  const auto vectors = grouped(kGroups, kSize, kOutliers, kDim, 1);
  for (const std::string& index : index_names()) {
    ClusterOptions options;
    options.threshold = 0.3;
    options.max_neighbors = 8;  // fewer than a group: the graph still connects it
    options.index = index;
    const auto result = cluster_faces(vectors, options);
    ASSERT_EQ(result.clusters.size(), static_cast<size_t>(kGroups + kOutliers)) << index;
    ASSERT_EQ(result.cluster_of.size(), vectors.size());
    for (int g = 0; g < kGroups; ++g) {
      const auto& c = result.clusters[g];
      ASSERT_EQ(c.members.size(), static_cast<size_t>(kSize));
      for (size_t m : c.members) {
        EXPECT_EQ(m % kGroups, c.members.front() % kGroups) << "group mixed";
        EXPECT_EQ(result.cluster_of[m], static_cast<size_t>(g));
      }
    }
    for (int o = 0; o < kOutliers; ++o) {
      const auto& c = result.clusters[kGroups + o];
      ASSERT_EQ(c.members.size(), 1u);
      EXPECT_EQ(c.representative, c.members[0]);
      EXPECT_GE(c.members[0], static_cast<size_t>(kGroups * kSize));
    }
  }
}

TEST(Cluster, RepresentativeIsNearestTheCentroid) {
  const auto vectors = grouped(3, 9, 0, 16, 2);
  ClusterOptions options;
  options.metric = Metric::kEuclidean;
  options.threshold = 1.2;
  const auto result = cluster_faces(vectors, options);
  ASSERT_EQ(result.clusters.size(), 3u);
  for (const auto& c : result.clusters) {
    std::vector<double> mean(16, 0.0);
    for (size_t m : c.members)
      for (int j = 0; j < 16; ++j) mean[j] += vectors[m][j] / static_cast<double>(c.members.size());
    size_t want = c.members[0];
    double nearest = INFINITY;
    for (size_t m : c.members) {
      double d = 0;
      for (int j = 0; j < 16; ++j) d += (vectors[m][j] - mean[j]) * (vectors[m][j] - mean[j]);
      if (d < nearest) nearest = d, want = m;
    }
    EXPECT_EQ(c.representative, want);
  }
}

TEST(Cluster, ReproducibleAndChainsThroughNeighbours) {
  // A chain of points each within the threshold of the next: one cluster,
  // though its ends are far apart (the threshold graph is transitive).
  std::vector<std::vector<float>> chain;
  for (int i = 0; i < 10; ++i) chain.push_back({static_cast<float>(i), 0});
  chain.push_back({100, 0});
  ClusterOptions options;
  options.metric = Metric::kEuclidean;
  options.threshold = 1.0;
  const auto a = cluster_faces(chain, options);
  ASSERT_EQ(a.clusters.size(), 2u);
  EXPECT_EQ(a.clusters[0].members.size(), 10u);
  EXPECT_EQ(a.clusters[1].members, std::vector<size_t>{10});
  const auto b = cluster_faces(chain, options);
  EXPECT_EQ(a.cluster_of, b.cluster_of);
}

TEST(Cluster, BadInput) {
  ClusterOptions options;
  options.threshold = 0.4;
  EXPECT_TRUE(cluster_faces({}, options).clusters.empty());
  EXPECT_THROW(cluster_faces({{1, 0}, {1, 0, 0}}, options), Error);
  EXPECT_THROW(cluster_faces({{0, 0}}, options), Error);
  options.threshold = NAN;
  EXPECT_THROW(cluster_faces({{1, 0}}, options), Error);
}

}  // namespace
