// Clustering unlabelled faces: who appears together across a pile of photos,
// without knowing anyone's name.
//
// Chinese whispers (Biemann 2006) on the threshold graph: every face is a
// node, joined to each of its nearest neighbours (up to max_neighbors) whose
// distance is at or below the threshold; each node repeatedly takes the label
// most common among its neighbours until no label changes. The number of
// clusters is not given: it follows from the threshold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facekit/index.h"
#include "facekit/match.h"

namespace facekit {

struct ClusterOptions {
  Metric metric = Metric::kCosine;
  double threshold = 0;  // the model's same-person threshold for `metric`
  int max_neighbors = 50;
  int max_iterations = 100;
  uint32_t seed = 0;  // order in which nodes are visited: results are reproducible
  std::string index = "exact";
  IndexOptions index_options;
};

struct Cluster {
  std::vector<size_t> members;  // indices into the input, ascending
  size_t representative = 0;    // the member nearest to the cluster's centroid
};

struct Clustering {
  // Largest first (ties: by first member); singletons included.
  std::vector<Cluster> clusters;
  // For each input vector, the index of its cluster in `clusters`.
  std::vector<size_t> cluster_of;
};

// Clusters `vectors` (raw embeddings; L2-normalised first for cosine and
// euclidean_l2). Throws Error when they differ in dimension or hold bad
// values, when the threshold is not > 0 or fails check_threshold (match.h), or
// naming an unknown index.
Clustering cluster_faces(const std::vector<std::vector<float>>& vectors, const ClusterOptions& options);

}  // namespace facekit
