// Engine::watch: detection, embedding, identification and analysis on every
// k-th frame of a video, fed to a Tracker (video.h).
#include <algorithm>
#include <chrono>

#include "engine/engine_impl.h"
#include "facekit/error.h"
#include "facekit/fusion.h"
#include "facekit/video.h"

namespace facekit {

namespace {

FindRequest find_request(const WatchRequest& r) {
  FindRequest f;
  f.db = r.db;
  f.k = 3;
  f.recognition = r.recognition;
  f.threshold = r.threshold;
  f.far = r.far;
  return f;
}

void check_watch_request(const WatchRequest& r) {
  check(!is_fusion(r.recognition.model), "--model " + r.recognition.model,
        "watch takes one recognizer, not a fusion (its association needs one embedding per face)");
  check(r.detect_every >= 1 && r.detect_every <= 1000, "--detect-every", "must be in [1, 1000] frames");
  TrackerOptions o = r.tracker;
  o.gate = 1;  // the recognizer's, known once it is loaded
  check_tracker_options(o);
  if (!r.actions.empty()) parse_actions(r.actions);
}

bool has_faceapi_head(const std::vector<std::string>& heads) {
  return std::any_of(heads.begin(), heads.end(), [](const std::string& h) { return h.rfind("faceapi-", 0) == 0; });
}

AnalyzeOptions watch_analyze_options(const WatchRequest& r, int threads) {
  AnalyzeOptions o;
  o.actions = parse_actions(r.actions);
  o.threads = threads;
  return o;
}

}  // namespace

void Engine::prepare(const WatchRequest& request) {
  check_watch_request(request);
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  if (!request.db.empty()) impl_->finder(find_request(request), {});
  else decide(*m.recognizer, m.metric, request.threshold, request.far);
  if (!request.actions.empty()) impl_->borrow_analyzer(watch_analyze_options(request, impl_->options.threads), request.actions);
}

WatchSummary Engine::watch(VideoSource& source, const WatchRequest& request, const WatchListener& listener) {
  const auto start = std::chrono::steady_clock::now();
  check_watch_request(request);
  const int threads = impl_->options.threads;
  RecognitionModels m = impl_->borrow(request.recognition, threads);
  std::shared_ptr<Finder> finder;
  Decision decision;
  if (!request.db.empty()) {
    finder = impl_->finder(find_request(request), {});
    decision = finder->decision;
  } else {
    decision = decide(*m.recognizer, m.metric, request.threshold, request.far);
  }
  std::optional<ModelPool<Analyzer>::Lease> analyzer;
  std::optional<ModelPool<Landmarker>::Lease> landmarker;
  if (!request.actions.empty()) {
    analyzer.emplace(impl_->borrow_analyzer(watch_analyze_options(request, threads), request.actions));
    if (has_faceapi_head((*analyzer)->heads())) landmarker.emplace(impl_->borrow_landmarker("faceapi-68", threads));
  }
  TrackerOptions tracker_options = request.tracker;
  tracker_options.metric = m.metric;
  tracker_options.gate = decision.threshold;
  Tracker tracker(tracker_options);

  WatchSummary summary;
  summary.source = source.name();
  summary.model = gallery_model(request.recognition, *m.recognizer);
  summary.metric = metric_name(m.metric);
  summary.detector = m.detector_name;
  summary.threshold = decision.threshold;
  summary.threshold_source = decision.source;
  auto emit = [&](const std::vector<TrackEvent>& events) {
    for (const TrackEvent& e : events) {
      if (e.kind == TrackEvent::Kind::kStarted) ++summary.tracks;
      if (listener.event) listener.event(e);
    }
  };
  std::optional<VideoFrame> last;
  while (std::optional<VideoFrame> frame = source.next()) {
    std::optional<std::vector<Observation>> observations;
    if (summary.frames % request.detect_every == 0) {
      const NamedImage image{source.name() + ": frame " + std::to_string(frame->index), frame->rgb};
      std::vector<FaceEmbedding> faces = embed_with(m, image, /*one_face=*/false);
      observations.emplace();
      for (FaceEmbedding& f : faces) observations->push_back({f.face, std::move(f.embedding), std::nullopt, std::nullopt});
      if (finder) {
        const std::lock_guard lock(finder->mutex);
        for (Observation& o : *observations) o.identification = finder->identifier->identify(o.embedding, 3);
      }
      if (analyzer && !observations->empty()) {
        std::vector<Face> boxes;
        for (const Observation& o : *observations) boxes.push_back(o.face);
        if (landmarker)
          for (Face& face : boxes) (*landmarker)->locate(frame->rgb, face);
        const std::vector<FaceAnalysis> analyses = (*analyzer)->analyze(frame->rgb, boxes);
        for (size_t i = 0; i < analyses.size(); ++i) (*observations)[i].analysis = analyses[i];
      }
      ++summary.detection_frames;
    }
    emit(tracker.update(frame->index, frame->time, observations));
    if (listener.frame) listener.frame(*frame, tracker.tracks());
    ++summary.frames;
    last = std::move(frame);
  }
  check(last.has_value(), source.name(), "gave no frame (an empty video, or one no backend here can decode)");
  emit(tracker.finish(last->index, last->time));
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace facekit
