// Identification (1:N): who, among the people of a gallery, a face is — or
// "unknown" when no one is near enough.
//
// A person's photos are aggregated into one distance per identity, chosen by
// name (aggregation_names()):
//   best        the nearest of their vectors (default)
//   mean-top-n  the mean distance to their n nearest vectors
//   centroid    the distance to the mean of their vectors
// Candidates come from an index (index.h: exact, exact-fp16, exact-int8 or hnsw); each
// candidate's distance is then computed exactly from their own vectors.
//
// Vectors are L2-normalised first for the cosine and euclidean_l2 metrics
// (match.h), so raw recognizer outputs can be given as they are.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "facekit/gallery.h"
#include "facekit/index.h"
#include "facekit/match.h"

namespace facekit {

enum class Aggregation { kBest, kMeanTopN, kCentroid };
const std::vector<std::string>& aggregation_names();
// Throws Error naming the unknown aggregation and listing the known ones.
Aggregation parse_aggregation(const std::string& name);
std::string aggregation_name(Aggregation aggregation);

struct IdentifyOptions {
  Metric metric = Metric::kCosine;
  // A face is someone when its distance to them is at or below this (the
  // model's threshold for `metric`; see match.h's Calibration).
  double threshold = 0;
  Aggregation aggregation = Aggregation::kBest;
  int top_n = 3;  // vectors averaged per identity by kMeanTopN
  std::string index = "exact";
  IndexOptions index_options;
  // Distance → P(same person), when the (model, metric) has one; it turns
  // the confidence into a probability (see Identification::confidence).
  std::optional<Logistic> logistic;
};

struct Candidate {
  std::string identity;
  double distance = 0;  // aggregated, in the metric's units
};

struct Identification {
  // The nearest identities, nearest first, whatever the threshold: the
  // answer's runners-up, or a face's look-alikes.
  std::vector<Candidate> candidates;
  // The nearest identity when within the threshold; empty: unknown.
  std::optional<std::string> identity;
  // Distance to the nearest identity, and how much further the second one
  // is (infinity when there is no such identity).
  double distance = 0;
  double margin = 0;
  // How sure the decision is, in [0, 1]. With a logistic fit, p₁ = P(same |
  // distance) and p₂ = P(same | distance of the second): a known face gets
  // p₁·(1 − p₂) (it is the nearest and not the second), an unknown one
  // 1 − p₁. Without one, a score (not a probability) from the threshold t:
  // known: (1 − distance/t)·min(1, margin/t); unknown: min(1, distance/t − 1).
  double confidence = 0;
  bool calibrated = false;  // confidence is a probability
};

// A search structure over a gallery's vectors of one model, kept in step
// with the gallery by update(). identify(), look_alikes() and the accessors
// may run on several threads at once, also while another thread updates: an
// update holds them off while it changes the structure, so each sees the
// vectors before it or after it, never part of it.
class Identifier {
 public:
  // Builds over `vectors` (id, identity and vector are used). Throws Error when
  // the vectors differ in dimension or hold NaN, infinity or (cosine,
  // euclidean_l2) zero length, when the threshold is not > 0 or fails
  // check_threshold (match.h), when top_n < 1, or naming an unknown index.
  Identifier(const std::vector<StoredVector>& vectors, const IdentifyOptions& options);
  ~Identifier();
  Identifier(Identifier&&) noexcept;
  Identifier& operator=(Identifier&&) noexcept;

  // Identifies one face's embedding, with up to k candidates (k ≥ 1). An
  // empty gallery answers "unknown" at infinite distance. Throws Error for a
  // query of another dimension or a bad vector.
  Identification identify(std::span<const float> query, int k = 5) const;

  // The k identities whose centroids are nearest to `identity`'s centroid,
  // nearest first (itself excluded). Throws Error for an unknown identity.
  std::vector<Candidate> look_alikes(const std::string& identity, int k = 5) const;

  // Removes the vectors whose ids (StoredVector::id) are in `removed` (ids
  // not held are ignored) and adds `added` (an id already held is replaced:
  // a person renamed, a vector changed), recomputing the centroids of the
  // people touched. In place when the index kind can remove (Index::remove),
  // else by building the indexes again over the vectors held. Returns true
  // when done in place. Throws Error, changing nothing, for an added vector
  // of another dimension than those held or holding NaN, infinity or
  // (cosine, euclidean_l2) zero length, or when this identifier was built
  // from vectors sharing an id (hand-made ones: update() needs each
  // vector's own).
  bool update(std::span<const int64_t> removed, const std::vector<StoredVector>& added);

  // The identities, sorted.
  std::vector<std::string> identities() const;
  size_t identity_count() const;
  // The vectors held.
  size_t vector_count() const;
  int dimension() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace facekit
