// The Tracker: association, motion, evidence and attributes (video.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "facekit/error.h"
#include "facekit/video.h"

namespace facekit {

const char* event_name(TrackEvent::Kind kind) {
  switch (kind) {
    case TrackEvent::Kind::kStarted: return "started";
    case TrackEvent::Kind::kIdentified: return "identified";
    case TrackEvent::Kind::kChanged: return "changed";
    case TrackEvent::Kind::kEnded: return "ended";
  }
  return "?";
}

void check_tracker_options(const TrackerOptions& o) {
  check(std::isfinite(o.gate) && o.gate > 0, "TrackerOptions::gate", "must be a finite distance > 0");
  check(o.min_iou >= 0 && o.min_iou <= 1, "TrackerOptions::min_iou (--min-iou)", "must be in [0, 1]");
  check(o.max_age >= 0 && o.max_age <= 100000, "TrackerOptions::max_age (--max-age)", "must be in [0, 100000] frames");
  check(o.decide_confidence >= 0 && o.decide_confidence < 1, "TrackerOptions::decide_confidence (--decide-confidence)",
        "must be in [0, 1)");
}

namespace {

// Running sums of one scalar attribute.
struct Sums {
  double sum = 0, squares = 0, variances = 0;  // variances: Σ σᵢ² of the frames' own spreads
  int n = 0;
  void add(double value, double own_spread = 0) {
    sum += value;
    squares += value * value;
    variances += own_spread * own_spread;
    ++n;
  }
  std::optional<Averaged> averaged() const {
    if (n == 0) return std::nullopt;
    const double mean = sum / n;
    const double spread = std::max(0.0, squares / n - mean * mean);
    return Averaged{mean, std::sqrt(variances / n + spread), n};
  }
};

struct Track {
  TrackState state;
  cv::Rect2f detected_box;  // the last detection's
  cv::Point2f velocity{0, 0};  // pixels per frame
  std::vector<float> embedding_sum;
  int embeddings = 0;
  std::vector<std::pair<std::string, double>> votes;  // label, W; in order of first vote
  std::optional<std::string> announced;  // the identity the last event gave
  bool ever_identified = false;
  Sums age, male, real;
  EmotionDistribution emotion_sum{};
  int emotion_frames = 0;
};

cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

bool normalizes(Metric metric) { return metric == Metric::kCosine || metric == Metric::kEuclideanL2; }

}  // namespace

struct Tracker::Impl {
  TrackerOptions options;
  std::vector<Track> tracks;
  int next_id = 1;
  std::optional<int64_t> last_frame;

  void predict(int64_t frame) {
    for (Track& t : tracks) {
      const float frames = static_cast<float>(frame - t.state.last_seen_frame);
      t.state.box = t.detected_box;
      t.state.box.x += t.velocity.x * frames;
      t.state.box.y += t.velocity.y * frames;
    }
  }

  // Embedding distance in units of the gate; nullopt when either side has none.
  std::optional<double> gated_distance(const Track& t, const Observation& o) const {
    if (o.embedding.empty() || t.embeddings == 0) return std::nullopt;
    check(o.embedding.size() == t.embedding_sum.size(), "Tracker",
          "an embedding of dimension " + std::to_string(o.embedding.size()) + " against a track's " +
              std::to_string(t.embedding_sum.size()));
    return distance(t.embedding_sum, o.embedding, options.metric) / options.gate;
  }

  double cost(const Track& t, const Observation& o) const {
    const double overlap = iou(t.state.box, o.face.box);
    const std::optional<double> d = gated_distance(t, o);
    if (!d) return overlap >= options.min_iou ? 2 - overlap : std::numeric_limits<double>::infinity();
    if (*d > 2 || (overlap < options.min_iou && *d > 1)) return std::numeric_limits<double>::infinity();
    return (1 - overlap) + *d;
  }

  void absorb(Track& t, int64_t frame, const Observation& obs) {
    if (t.state.detections > 0) {
      const float frames = static_cast<float>(frame - t.state.last_seen_frame);
      t.velocity = (centre(obs.face.box) - centre(t.detected_box)) / frames;
    }
    t.detected_box = obs.face.box;
    t.state.box = obs.face.box;
    t.state.last_seen_frame = frame;
    ++t.state.detections;
    if (!obs.embedding.empty()) {
      const std::vector<float> v = normalizes(options.metric) ? l2_normalize(obs.embedding) : obs.embedding;
      if (t.embeddings == 0) t.embedding_sum.assign(v.size(), 0.0f);
      check(v.size() == t.embedding_sum.size(), "Tracker", "an embedding of another dimension than the track's");
      for (size_t i = 0; i < v.size(); ++i) t.embedding_sum[i] += v[i];
      ++t.embeddings;
    }
    if (obs.identification) vote(t, *obs.identification);
    if (obs.analysis && obs.analysis->refused.empty()) add_analysis(t, *obs.analysis);
  }

  void vote(Track& t, const Identification& id) {
    const std::string label = id.identity.value_or(kUnknownLabel);
    const double weight = std::clamp(std::isfinite(id.confidence) ? id.confidence : 0.0, 0.0, 1.0);
    auto it = std::find_if(t.votes.begin(), t.votes.end(), [&](const auto& v) { return v.first == label; });
    if (it == t.votes.end()) t.votes.emplace_back(label, weight);
    else it->second += weight;
    double total = 0;
    const std::pair<std::string, double>* leading = &t.votes.front();
    for (const auto& v : t.votes) {
      total += v.second;
      if (v.second > leading->second) leading = &v;
    }
    t.state.leading = leading->first;
    t.state.evidence = leading->second - (total - leading->second);
    t.state.confidence = 1 - std::exp(-std::max(0.0, t.state.evidence));
    const bool decided = leading->first != kUnknownLabel && t.state.confidence >= options.decide_confidence;
    t.state.identity = decided ? std::optional<std::string>(leading->first) : std::nullopt;
  }

  static void add_analysis(Track& t, const FaceAnalysis& a) {
    if (a.age) t.age.add(a.age->years, a.age->uncertainty);
    if (a.gender) t.male.add(*a.gender == "male" ? a.gender_probability : 1 - a.gender_probability);
    if (a.real_probability) t.real.add(*a.real_probability);
    if (a.emotion) {
      for (size_t i = 0; i < a.emotion->size(); ++i) t.emotion_sum[i] += (*a.emotion)[i];
      ++t.emotion_frames;
    }
    TrackAttributes& out = t.state.attributes;
    out.age = t.age.averaged();
    out.male_probability = t.male.averaged();
    out.real_probability = t.real.averaged();
    out.emotion_frames = t.emotion_frames;
    if (t.emotion_frames > 0) {
      EmotionDistribution mean{};
      for (size_t i = 0; i < mean.size(); ++i) mean[i] = t.emotion_sum[i] / static_cast<float>(t.emotion_frames);
      out.emotion = mean;
    }
  }
};

Tracker::Tracker(const TrackerOptions& options) : impl_(std::make_unique<Impl>()) {
  check_tracker_options(options);
  impl_->options = options;
}

Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;
Tracker& Tracker::operator=(Tracker&&) noexcept = default;

std::vector<TrackEvent> Tracker::update(int64_t frame, double time,
                                        const std::optional<std::vector<Observation>>& detections) {
  Impl& s = *impl_;
  check(!s.last_frame || frame > *s.last_frame, "Tracker::update",
        "frame " + std::to_string(frame) + " is not after frame " + std::to_string(s.last_frame.value_or(0)));
  s.last_frame = frame;
  s.predict(frame);
  std::vector<TrackEvent> events;
  if (!detections) return events;

  std::vector<std::vector<double>> cost(s.tracks.size(), std::vector<double>(detections->size()));
  for (size_t t = 0; t < s.tracks.size(); ++t)
    for (size_t d = 0; d < detections->size(); ++d) cost[t][d] = s.cost(s.tracks[t], (*detections)[d]);
  const std::vector<int> detection_of = assign_min_cost(cost);

  std::vector<bool> taken(detections->size(), false);
  std::vector<int> changed;  // ids of tracks that took a detection
  for (size_t t = 0; t < s.tracks.size(); ++t) {
    if (detection_of[t] < 0) continue;
    taken[static_cast<size_t>(detection_of[t])] = true;
    s.absorb(s.tracks[t], frame, (*detections)[static_cast<size_t>(detection_of[t])]);
    changed.push_back(s.tracks[t].state.id);
  }
  // Tracks unmatched for longer than max_age end.
  for (auto it = s.tracks.begin(); it != s.tracks.end();) {
    if (frame - it->state.last_seen_frame > s.options.max_age) {
      events.push_back({TrackEvent::Kind::kEnded, frame, time, it->state});
      it = s.tracks.erase(it);
    } else {
      ++it;
    }
  }
  for (size_t d = 0; d < detections->size(); ++d) {
    if (taken[d]) continue;
    Track t;
    t.state.id = s.next_id++;
    t.state.first_frame = frame;
    s.absorb(t, frame, (*detections)[d]);
    events.push_back({TrackEvent::Kind::kStarted, frame, time, t.state});
    changed.push_back(t.state.id);
    s.tracks.push_back(std::move(t));
  }
  std::sort(changed.begin(), changed.end());
  for (Track& t : s.tracks) {
    if (!std::binary_search(changed.begin(), changed.end(), t.state.id) || t.state.identity == t.announced) continue;
    const bool first = !t.ever_identified && t.state.identity;
    events.push_back({first ? TrackEvent::Kind::kIdentified : TrackEvent::Kind::kChanged, frame, time, t.state});
    t.announced = t.state.identity;
    t.ever_identified = t.ever_identified || t.state.identity.has_value();
  }
  return events;
}

std::vector<TrackEvent> Tracker::finish(int64_t frame, double time) {
  std::vector<TrackEvent> events;
  for (const Track& t : impl_->tracks) events.push_back({TrackEvent::Kind::kEnded, frame, time, t.state});
  impl_->tracks.clear();
  return events;
}

std::vector<TrackState> Tracker::tracks() const {
  std::vector<TrackState> out;
  for (const Track& t : impl_->tracks) out.push_back(t.state);
  return out;
}

}  // namespace facekit
