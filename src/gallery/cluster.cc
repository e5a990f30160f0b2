// Chinese whispers on the threshold graph of nearest neighbours.
#include "facekit/cluster.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "gallery/metric_space.h"

namespace facekit {
namespace {

using Graph = std::vector<std::vector<size_t>>;

// Each node joined to its neighbours within the threshold, both ways.
Graph threshold_graph(const std::vector<float>& rows, size_t n, int dimension, const ClusterOptions& options) {
  auto index = make_index(options.index, dimension, metric_space::space_of(options.metric), options.index_options);
  std::vector<int64_t> labels(n);
  std::iota(labels.begin(), labels.end(), 0);
  index->add(rows, labels);
  Graph graph(n);
  const auto dim = static_cast<size_t>(dimension);
  for (size_t i = 0; i < n; ++i)
    for (const auto& nb : index->search({rows.data() + i * dim, dim}, options.max_neighbors + 1)) {
      const auto j = static_cast<size_t>(nb.label);
      if (j == i || metric_space::to_metric(nb.distance, options.metric) > options.threshold) continue;
      graph[i].push_back(j);
      graph[j].push_back(i);
    }
  for (auto& edges : graph) {
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  }
  return graph;
}

// Labels after Chinese whispers: each node adopts its neighbours' most
// common label (ties: the smallest), visiting nodes in a shuffled order.
std::vector<size_t> whispers(const Graph& graph, const ClusterOptions& options) {
  const size_t n = graph.size();
  std::vector<size_t> label(n);
  std::iota(label.begin(), label.end(), 0);
  std::vector<size_t> order = label;
  std::mt19937 rng(options.seed);
  for (int it = 0; it < options.max_iterations; ++it) {
    std::shuffle(order.begin(), order.end(), rng);
    bool changed = false;
    for (size_t node : order) {
      if (graph[node].empty()) continue;
      std::map<size_t, int> votes;
      for (size_t nb : graph[node]) ++votes[label[nb]];
      const auto best = std::max_element(votes.begin(), votes.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      if (best->first != label[node]) {
        label[node] = best->first;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return label;
}

}  // namespace

Clustering cluster_faces(const std::vector<std::vector<float>>& vectors, const ClusterOptions& options) {
  check(std::isfinite(options.threshold) && options.threshold > 0, "clustering",
        "the threshold must be finite and positive, got " + std::to_string(options.threshold));
  check_threshold(options.threshold, options.metric, "clustering");
  check(options.max_neighbors >= 1, "clustering", "max_neighbors must be at least 1");
  Clustering out;
  if (vectors.empty()) return out;
  const size_t n = vectors.size(), dim = vectors.front().size();
  std::vector<float> rows;
  rows.reserve(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const std::string context = "clustering: vector " + std::to_string(i);
    check(vectors[i].size() == dim, context,
          std::to_string(vectors[i].size()) + "-D among " + std::to_string(dim) + "-D vectors");
    const auto prepared = metric_space::prepare(vectors[i], options.metric, context);
    rows.insert(rows.end(), prepared.begin(), prepared.end());
  }
  const auto label = whispers(threshold_graph(rows, n, static_cast<int>(dim), options), options);

  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; ++i) groups[label[i]].push_back(i);
  for (auto& [_, members] : groups) out.clusters.push_back({members, members.front()});
  std::stable_sort(out.clusters.begin(), out.clusters.end(), [](const Cluster& a, const Cluster& b) {
    return a.members.size() != b.members.size() ? a.members.size() > b.members.size()
                                                : a.members.front() < b.members.front();
  });
  out.cluster_of.resize(n);
  for (size_t c = 0; c < out.clusters.size(); ++c) {
    Cluster& cluster = out.clusters[c];
    std::vector<float> centroid(dim, 0.f);
    for (size_t m : cluster.members) {
      out.cluster_of[m] = c;
      for (size_t j = 0; j < dim; ++j) centroid[j] += rows[m * dim + j] / static_cast<float>(cluster.members.size());
    }
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t m : cluster.members) {
      // Squared L2 to the plain mean: the member most typical of the cluster.
      const double d = kernels::squared_l2(rows.data() + m * dim, centroid.data(), dim);
      if (d < nearest) nearest = d, cluster.representative = m;
    }
  }
  return out;
}

}  // namespace facekit
