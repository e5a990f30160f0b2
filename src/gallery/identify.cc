// 1:N identification over a gallery's vectors.
#include "facekit/identify.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "gallery/metric_space.h"

namespace facekit {

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
}

const std::vector<std::string>& aggregation_names() {
  static const std::vector<std::string> names{"best", "mean-top-n", "centroid"};
  return names;
}

Aggregation parse_aggregation(const std::string& name) {
  const auto& names = aggregation_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw Error("unknown aggregation " + name + " (known: best, mean-top-n, centroid)");
  return static_cast<Aggregation>(it - names.begin());
}

std::string aggregation_name(Aggregation aggregation) {
  return aggregation_names().at(static_cast<size_t>(aggregation));
}

struct Identifier::State {
  IdentifyOptions options;
  int dimension = 0;
  std::vector<std::string> identities;        // sorted
  std::vector<float> rows;                    // prepared vectors, grouped by identity
  std::vector<size_t> first_row;              // identity i owns rows [first_row[i], first_row[i + 1])
  std::vector<float> centroids;               // prepared, one per identity
  size_t most_rows = 0;                       // the most vectors any identity has
  std::unique_ptr<Index> index;               // over rows (labels: identity), or centroids for kCentroid
  std::unique_ptr<Index> centroid_index;      // for look_alikes

  const float* row(size_t r) const { return rows.data() + r * dimension; }
  const float* centroid(size_t i) const { return centroids.data() + i * dimension; }

  // The aggregated distance from a prepared query to identity i.
  double distance_to(const float* query, size_t i) const {
    const auto dim = static_cast<size_t>(dimension);
    if (options.aggregation == Aggregation::kCentroid)
      return metric_space::between(query, centroid(i), dim, options.metric);
    std::vector<double> d;
    for (size_t r = first_row[i]; r < first_row[i + 1]; ++r)
      d.push_back(metric_space::between(query, row(r), dim, options.metric));
    const size_t n = options.aggregation == Aggregation::kBest
                         ? 1
                         : std::min(d.size(), static_cast<size_t>(options.top_n));
    std::partial_sort(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n), d.end());
    double sum = 0;
    for (size_t j = 0; j < n; ++j) sum += d[j];
    return sum / static_cast<double>(n);
  }

  // Up to `k` identities nearest to a prepared query by aggregated distance.
  std::vector<Candidate> nearest(const float* query, size_t k, std::optional<size_t> excluded) const {
    const size_t wanted = k + (excluded ? 1 : 0);
    // Enough rows that `wanted` identities' best rows are surely among them.
    const Index& searched = options.aggregation == Aggregation::kCentroid ? *centroid_index : *index;
    const size_t fetch = options.aggregation == Aggregation::kCentroid ? wanted : wanted * most_rows;
    std::vector<int64_t> seen;
    for (const auto& n : searched.search({query, static_cast<size_t>(dimension)}, static_cast<int>(fetch)))
      if (std::find(seen.begin(), seen.end(), n.label) == seen.end()) seen.push_back(n.label);
    std::vector<Candidate> out;
    for (int64_t i : seen)
      if (!excluded || static_cast<size_t>(i) != *excluded)
        out.push_back({identities[static_cast<size_t>(i)], distance_to(query, static_cast<size_t>(i))});
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
    if (out.size() > k) out.resize(k);
    return out;
  }
};

Identifier::Identifier(const std::vector<StoredVector>& vectors, const IdentifyOptions& options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.options = options;
  check(std::isfinite(options.threshold) && options.threshold > 0, "identification",
        "the threshold must be finite and positive, got " + std::to_string(options.threshold));
  check_threshold(options.threshold, options.metric, "identification");
  check(options.top_n >= 1, "identification", "top_n must be at least 1");
  std::map<std::string, std::vector<const StoredVector*>> by_identity;
  for (const auto& v : vectors) by_identity[v.identity].push_back(&v);
  s.dimension = vectors.empty() ? 1 : static_cast<int>(vectors.front().vector.size());
  const auto dim = static_cast<size_t>(s.dimension);
  std::vector<int64_t> row_labels;
  s.first_row.push_back(0);
  for (const auto& [identity, own] : by_identity) {
    std::vector<double> sum(dim, 0.0);
    for (const StoredVector* v : own) {
      const std::string context = "identification: " + v->file + " (" + identity + ")";
      check(v->vector.size() == dim, context,
            std::to_string(v->vector.size()) + "-D vector among " + std::to_string(dim) + "-D ones");
      const auto prepared = metric_space::prepare(v->vector, options.metric, context);
      s.rows.insert(s.rows.end(), prepared.begin(), prepared.end());
      for (size_t j = 0; j < dim; ++j) sum[j] += prepared[j];
      row_labels.push_back(static_cast<int64_t>(s.identities.size()));
    }
    std::vector<float> mean(dim);
    for (size_t j = 0; j < dim; ++j) mean[j] = static_cast<float>(sum[j] / static_cast<double>(own.size()));
    // The mean of unit vectors is shorter than one: bring it back to the
    // sphere (a zero mean, opposite photos only, is left as it is).
    if (metric_space::space_of(options.metric) == IndexSpace::kInnerProduct &&
        std::any_of(mean.begin(), mean.end(), [](float x) { return x != 0; }))
      mean = l2_normalize(mean);
    s.centroids.insert(s.centroids.end(), mean.begin(), mean.end());
    s.identities.push_back(identity);
    s.first_row.push_back(s.rows.size() / dim);
    s.most_rows = std::max(s.most_rows, own.size());
  }
  const IndexSpace space = metric_space::space_of(options.metric);
  std::vector<int64_t> centroid_labels(s.identities.size());
  for (size_t i = 0; i < centroid_labels.size(); ++i) centroid_labels[i] = static_cast<int64_t>(i);
  s.centroid_index = make_index(options.aggregation == Aggregation::kCentroid ? options.index : "exact",
                                s.dimension, space, options.index_options);
  s.centroid_index->add(s.centroids, centroid_labels);
  if (options.aggregation != Aggregation::kCentroid) {
    s.index = make_index(options.index, s.dimension, space, options.index_options);
    s.index->add(s.rows, row_labels);
  }
}

Identifier::~Identifier() = default;
Identifier::Identifier(Identifier&&) noexcept = default;
Identifier& Identifier::operator=(Identifier&&) noexcept = default;

const std::vector<std::string>& Identifier::identities() const { return state_->identities; }
int Identifier::dimension() const { return state_->dimension; }

Identification Identifier::identify(std::span<const float> query, int k) const {
  const State& s = *state_;
  check(k >= 1, "identification", "k must be at least 1");
  check(query.size() == static_cast<size_t>(s.dimension) || s.identities.empty(), "identification",
        "query is " + std::to_string(query.size()) + "-D, the gallery " + std::to_string(s.dimension) + "-D");
  const auto prepared = metric_space::prepare(query, s.options.metric, "identification query");
  Identification out;
  if (s.identities.empty()) {
    out.distance = out.margin = kInfinity;
    out.confidence = 1;  // nobody to be: surely unknown
    out.calibrated = true;
    return out;
  }
  out.candidates = s.nearest(prepared.data(), std::max<size_t>(2, static_cast<size_t>(k)), std::nullopt);
  const double d1 = out.candidates[0].distance;
  const double d2 = out.candidates.size() > 1 ? out.candidates[1].distance : kInfinity;
  out.candidates.resize(std::min(out.candidates.size(), static_cast<size_t>(k)));
  out.distance = d1;
  out.margin = d2 - d1;
  const double t = s.options.threshold;
  const bool known = d1 <= t;
  if (known) out.identity = out.candidates[0].identity;
  if (s.options.logistic) {
    const double p1 = s.options.logistic->probability_same(d1);
    const double p2 = std::isfinite(d2) ? s.options.logistic->probability_same(d2) : 0.0;
    out.confidence = known ? p1 * (1 - p2) : 1 - p1;
    out.calibrated = true;
  } else {
    out.confidence = known ? (1 - d1 / t) * std::min(1.0, out.margin / t) : std::min(1.0, d1 / t - 1);
  }
  out.confidence = std::clamp(out.confidence, 0.0, 1.0);
  return out;
}

std::vector<Candidate> Identifier::look_alikes(const std::string& identity, int k) const {
  const State& s = *state_;
  const auto it = std::lower_bound(s.identities.begin(), s.identities.end(), identity);
  check(it != s.identities.end() && *it == identity, "look-alikes", "no such identity: " + identity);
  const auto i = static_cast<size_t>(it - s.identities.begin());
  // Centroid to centroid, whatever the aggregation.
  std::vector<Candidate> out;
  const auto dim = static_cast<size_t>(s.dimension);
  for (const auto& n : s.centroid_index->search({s.centroid(i), dim}, std::max(k, 0) + 1))
    if (static_cast<size_t>(n.label) != i)
      out.push_back({s.identities[static_cast<size_t>(n.label)],
                     metric_space::between(s.centroid(i), s.centroid(static_cast<size_t>(n.label)), dim, s.options.metric)});
  if (out.size() > static_cast<size_t>(std::max(k, 0))) out.resize(static_cast<size_t>(std::max(k, 0)));
  return out;
}

}  // namespace facekit
