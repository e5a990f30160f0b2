// 1:N identification over a gallery's vectors.
#include "facekit/identify.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

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

// Rows live in slots of one contiguous array (a slot freed by a removal is
// reused by the next add), so that a fresh build hands the index the array
// itself, not a copy. The index's labels are slots (kCentroid: person
// labels); people have labels of their own, never reused.
struct Identifier::State {
  struct Person {
    std::string name;
    std::vector<int64_t> rows;    // slots
    std::vector<float> centroid;  // prepared
  };

  IdentifyOptions options;
  IndexSpace space = IndexSpace::kInnerProduct;
  int dimension = 0;
  bool updatable = true;                               // every vector had its own id
  std::vector<float> values;                           // slot r at [r·dimension, (r + 1)·dimension)
  std::vector<int64_t> slot_person;                    // per slot: its person's label, or kFree
  std::vector<int64_t> free_slots;
  std::unordered_map<int64_t, int64_t> slot_of_vector;  // vector id → slot (when updatable)
  std::unordered_map<int64_t, Person> people;          // by label
  std::map<std::string, int64_t> person_of_name;       // sorted
  int64_t next_person = 0;
  size_t most_rows = 0;                   // at least the most vectors any identity has
  std::unique_ptr<Index> index;           // over the slots, or the centroids for kCentroid
  std::unique_ptr<Index> centroid_index;  // for look_alikes
  mutable std::shared_mutex mutex;        // shared: searches; exclusive: update()

  static constexpr int64_t kFree = -1;
  size_t dim() const { return static_cast<size_t>(dimension); }
  const float* row(int64_t slot) const { return values.data() + static_cast<size_t>(slot) * dim(); }

  // `v` prepared for the metric, checked against `dimension`.
  std::vector<float> prepared(const StoredVector& v) const {
    const std::string context = "identification: " + v.file + " (" + v.identity + ")";
    check(v.vector.size() == dim(), context,
          std::to_string(v.vector.size()) + "-D vector among " + std::to_string(dim()) + "-D ones");
    return metric_space::prepare(v.vector, options.metric, context);
  }

  // Stores a prepared row for `identity` (a new person when unknown); its slot.
  int64_t add_row(int64_t vector_id, const std::string& identity, const std::vector<float>& row_values) {
    auto [named, is_new] = person_of_name.try_emplace(identity, next_person);
    if (is_new) people[next_person++].name = identity;
    int64_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
      std::copy(row_values.begin(), row_values.end(), values.begin() + static_cast<std::ptrdiff_t>(slot) * dimension);
      slot_person[static_cast<size_t>(slot)] = named->second;
    } else {
      slot = static_cast<int64_t>(slot_person.size());
      values.insert(values.end(), row_values.begin(), row_values.end());
      slot_person.push_back(named->second);
    }
    Person& person = people[named->second];
    person.rows.push_back(slot);
    most_rows = std::max(most_rows, person.rows.size());
    if (updatable) slot_of_vector[vector_id] = slot;
    return slot;
  }

  // Frees vector `vector_id`'s slot; its person's label, or nullopt when it is not held.
  std::optional<int64_t> remove_row(int64_t vector_id) {
    const auto found = slot_of_vector.find(vector_id);
    if (found == slot_of_vector.end()) return std::nullopt;
    const int64_t slot = found->second;
    const int64_t person = slot_person[static_cast<size_t>(slot)];
    std::erase(people.at(person).rows, slot);
    slot_person[static_cast<size_t>(slot)] = kFree;
    free_slots.push_back(slot);
    slot_of_vector.erase(found);
    return person;
  }

  // The mean of a person's rows (brought back to the sphere in the inner
  // product space: the mean of unit vectors is shorter than one; a zero
  // mean, opposite photos only, is left as it is).
  void compute_centroid(Person& person) const {
    std::vector<double> sum(dim(), 0.0);
    for (const int64_t slot : person.rows)
      for (size_t j = 0; j < dim(); ++j) sum[j] += row(slot)[j];
    std::vector<float> mean(dim());
    for (size_t j = 0; j < dim(); ++j) mean[j] = static_cast<float>(sum[j] / static_cast<double>(person.rows.size()));
    if (space == IndexSpace::kInnerProduct && std::any_of(mean.begin(), mean.end(), [](float x) { return x != 0; }))
      mean = l2_normalize(mean);
    person.centroid = std::move(mean);
  }

  // Makes both indexes afresh over what is held.
  void build_indexes() {
    std::vector<float> centroids;
    std::vector<int64_t> centroid_labels;
    for (const auto& [name, label] : person_of_name) {
      const auto& c = people.at(label).centroid;
      centroids.insert(centroids.end(), c.begin(), c.end());
      centroid_labels.push_back(label);
    }
    const bool by_centroid = options.aggregation == Aggregation::kCentroid;
    auto made_centroids = make_index(by_centroid ? options.index : "exact", dimension, space, options.index_options);
    made_centroids->add(centroids, centroid_labels);
    std::unique_ptr<Index> made_rows;
    if (!by_centroid) {
      made_rows = make_index(options.index, dimension, space, options.index_options);
      if (free_slots.empty()) {
        std::vector<int64_t> slots(slot_person.size());
        std::iota(slots.begin(), slots.end(), int64_t{0});
        made_rows->add(values, slots);
      } else {
        std::vector<float> live;
        std::vector<int64_t> slots;
        for (size_t slot = 0; slot < slot_person.size(); ++slot)
          if (slot_person[slot] != kFree) {
            live.insert(live.end(), row(static_cast<int64_t>(slot)), row(static_cast<int64_t>(slot)) + dim());
            slots.push_back(static_cast<int64_t>(slot));
          }
        made_rows->add(live, slots);
      }
    }
    centroid_index = std::move(made_centroids);
    index = std::move(made_rows);
  }

  // The aggregated distance from a prepared query to person `label`.
  double distance_to(const float* query, int64_t label) const {
    const Person& person = people.at(label);
    if (options.aggregation == Aggregation::kCentroid)
      return metric_space::between(query, person.centroid.data(), dim(), options.metric);
    std::vector<double> d;
    for (const int64_t slot : person.rows) d.push_back(metric_space::between(query, row(slot), dim(), options.metric));
    const size_t n = options.aggregation == Aggregation::kBest
                         ? 1
                         : std::min(d.size(), static_cast<size_t>(options.top_n));
    std::partial_sort(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n), d.end());
    double sum = 0;
    for (size_t j = 0; j < n; ++j) sum += d[j];
    return sum / static_cast<double>(n);
  }

  // Up to `k` identities nearest to a prepared query by aggregated distance.
  std::vector<Candidate> nearest(const float* query, size_t k) const {
    // Enough rows that the k identities' best rows are surely among them.
    const bool by_centroid = options.aggregation == Aggregation::kCentroid;
    const Index& searched = by_centroid ? *centroid_index : *index;
    const size_t fetch = by_centroid ? k : k * most_rows;
    std::vector<int64_t> seen;
    for (const auto& n : searched.search({query, dim()}, static_cast<int>(fetch))) {
      const int64_t person = by_centroid ? n.label : slot_person.at(static_cast<size_t>(n.label));
      if (std::find(seen.begin(), seen.end(), person) == seen.end()) seen.push_back(person);
    }
    std::vector<Candidate> out;
    for (const int64_t person : seen) out.push_back({people.at(person).name, distance_to(query, person)});
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
  s.space = metric_space::space_of(options.metric);
  s.dimension = vectors.empty() ? 1 : static_cast<int>(vectors.front().vector.size());
  std::unordered_set<int64_t> ids;
  for (const auto& v : vectors) s.updatable = ids.insert(v.id).second && s.updatable;
  s.values.reserve(vectors.size() * s.dim());
  for (const auto& v : vectors) s.add_row(v.id, v.identity, s.prepared(v));
  if (!s.updatable) s.slot_of_vector.clear();
  for (auto& [label, person] : s.people) s.compute_centroid(person);
  s.build_indexes();
}

Identifier::~Identifier() = default;
Identifier::Identifier(Identifier&&) noexcept = default;
Identifier& Identifier::operator=(Identifier&&) noexcept = default;

std::vector<std::string> Identifier::identities() const {
  const std::shared_lock lock(state_->mutex);
  std::vector<std::string> names;
  for (const auto& [name, label] : state_->person_of_name) names.push_back(name);
  return names;
}

size_t Identifier::identity_count() const {
  const std::shared_lock lock(state_->mutex);
  return state_->person_of_name.size();
}

size_t Identifier::vector_count() const {
  const std::shared_lock lock(state_->mutex);
  return state_->slot_person.size() - state_->free_slots.size();
}

int Identifier::dimension() const {
  const std::shared_lock lock(state_->mutex);
  return state_->dimension;
}

bool Identifier::update(std::span<const int64_t> removed, const std::vector<StoredVector>& added) {
  State& s = *state_;
  const std::unique_lock lock(s.mutex);
  check(s.updatable, "identification", "cannot update an identifier built from vectors sharing an id");
  const bool was_empty = s.slot_of_vector.empty();
  const int old_dimension = s.dimension;
  if (was_empty && !added.empty()) s.dimension = static_cast<int>(added.front().vector.size());
  // Everything checked before anything changes.
  std::vector<std::vector<float>> rows;
  std::unordered_set<int64_t> added_ids;
  try {
    for (const auto& v : added) {
      check(added_ids.insert(v.id).second, "identification", "vector " + std::to_string(v.id) + " added twice");
      rows.push_back(s.prepared(v));
    }
  } catch (...) {
    s.dimension = old_dimension;
    throw;
  }
  std::set<int64_t> touched;  // people labels
  std::vector<int64_t> freed;
  const auto drop = [&](int64_t id) {
    const int64_t slot = s.slot_of_vector.contains(id) ? s.slot_of_vector.at(id) : State::kFree;
    if (const auto person = s.remove_row(id)) {
      touched.insert(*person);
      freed.push_back(slot);
    }
  };
  for (const int64_t id : removed) drop(id);
  for (const auto& v : added) drop(v.id);
  std::vector<int64_t> slots;
  for (size_t i = 0; i < added.size(); ++i) {
    slots.push_back(s.add_row(added[i].id, added[i].identity, rows[i]));
    touched.insert(s.slot_person[static_cast<size_t>(slots.back())]);
  }
  std::vector<int64_t> recentred;  // people still here whose centroid changed
  for (const int64_t label : touched) {
    State::Person& person = s.people.at(label);
    if (person.rows.empty()) {
      s.person_of_name.erase(person.name);
      s.people.erase(label);
    } else {
      s.compute_centroid(person);
      recentred.push_back(label);
    }
  }
  const bool by_centroid = s.options.aggregation == Aggregation::kCentroid;
  // A slot freed and filled again in this update is removed, then added.
  const std::vector<int64_t> touched_labels(touched.begin(), touched.end());
  bool in_place = !was_empty && s.centroid_index->remove(touched_labels) && (by_centroid || s.index->remove(freed));
  if (in_place) {
    std::vector<float> centroids, new_rows;
    for (const int64_t label : recentred) {
      const auto& c = s.people.at(label).centroid;
      centroids.insert(centroids.end(), c.begin(), c.end());
    }
    s.centroid_index->add(centroids, recentred);
    if (!by_centroid) {
      for (const int64_t slot : slots) new_rows.insert(new_rows.end(), s.row(slot), s.row(slot) + s.dim());
      s.index->add(new_rows, slots);
    }
  } else {
    s.build_indexes();
  }
  return in_place;
}

Identification Identifier::identify(std::span<const float> query, int k) const {
  const State& s = *state_;
  check(k >= 1, "identification", "k must be at least 1");
  const std::shared_lock lock(s.mutex);
  check(query.size() == static_cast<size_t>(s.dimension) || s.person_of_name.empty(), "identification",
        "query is " + std::to_string(query.size()) + "-D, the gallery " + std::to_string(s.dimension) + "-D");
  const auto prepared = metric_space::prepare(query, s.options.metric, "identification query");
  Identification out;
  if (s.person_of_name.empty()) {
    out.distance = out.margin = kInfinity;
    out.confidence = 1;  // nobody to be: surely unknown
    out.calibrated = true;
    return out;
  }
  out.candidates = s.nearest(prepared.data(), std::max<size_t>(2, static_cast<size_t>(k)));
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
  const std::shared_lock lock(s.mutex);
  const auto named = s.person_of_name.find(identity);
  check(named != s.person_of_name.end(), "look-alikes", "no such identity: " + identity);
  const int64_t own = named->second;
  const float* centroid = s.people.at(own).centroid.data();
  // Centroid to centroid, whatever the aggregation.
  std::vector<Candidate> out;
  for (const auto& n : s.centroid_index->search({centroid, s.dim()}, std::max(k, 0) + 1))
    if (n.label != own)
      out.push_back({s.people.at(n.label).name,
                     metric_space::between(centroid, s.people.at(n.label).centroid.data(), s.dim(), s.options.metric)});
  if (out.size() > static_cast<size_t>(std::max(k, 0))) out.resize(static_cast<size_t>(std::max(k, 0)));
  return out;
}

}  // namespace facekit
