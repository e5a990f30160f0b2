#include "facekit/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <thread>

#include "engine/engine_impl.h"
#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit {

namespace {

template <class Model>
typename ModelPool<Model>::Lease borrow_from(std::mutex& mutex, std::map<std::string, std::unique_ptr<ModelPool<Model>>>& pools,
                                           const std::string& key, std::function<std::unique_ptr<Model>()> make) {
  ModelPool<Model>* pool;
  {
    const std::lock_guard lock(mutex);
    auto& slot = pools[key];
    if (!slot) slot = std::make_unique<ModelPool<Model>>(std::move(make));
    pool = slot.get();
  }
  return pool->borrow();
}

std::string detector_key(const std::string& name, const DetectOptions& o) {
  return name + "|" + key_number(o.min_face) + "|" + key_number(o.score_threshold) + "|" + key_number(o.nms_iou) +
         "|" + std::to_string(o.max_faces) + "|" + o.executor + "|" + std::to_string(o.threads);
}

void check_executor(const std::string& executor) {
  check(executor == "fast" || executor == "reference", "--executor", "'" + executor + "' is neither fast nor reference");
}

DetectOptions detect_options(const DetectRequest& r, int threads) {
  check_executor(r.executor);
  check(r.min_face >= 1, "--min-face", "must be at least 1 pixel");
  check(r.max_faces >= 0, "--max-faces", "must not be negative");
  DetectOptions o;
  o.min_face = r.min_face;
  o.score_threshold = r.score_threshold;
  o.max_faces = r.max_faces;
  o.executor = r.executor;
  o.threads = threads;
  return o;
}

// face-api's heads follow its chain with landmarks (analyze.h): face-api's own
// 68-point net locates each detected face first.
constexpr const char* kFaceApiLandmarker = "faceapi-68";

bool has_faceapi_head(const std::vector<std::string>& heads) {
  return std::any_of(heads.begin(), heads.end(), [](const std::string& h) { return h.rfind("faceapi-", 0) == 0; });
}

AnalyzeOptions analyze_options(const AnalyzeRequest& r, int threads) {
  check_executor(r.executor);
  AnalyzeOptions o;
  o.actions = parse_actions(r.actions);
  o.executor = r.executor;
  o.threads = threads;
  return o;
}

// The whole image as one face (for faces already cut out), its quality assessed.
Face whole_face(const cv::Mat& rgb) {
  Face face;
  face.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
  face.score = 1;
  assess_quality(rgb, face);
  return face;
}

}  // namespace

NamedImage read_named_image(const std::string& path) { return {path, read_image(path)}; }

std::string key_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

void note(const Listener& listener, const std::string& line) {
  if (listener.note) listener.note(line);
}

Calibration recognizer_calibration(const Recognizer& recognizer, Metric metric) {
  Calibration c = load_calibration(recognizer.card().model, metric);
  const auto& own = recognizer.card().thresholds;
  if (c.source == "none" && own.count(metric_name(metric))) {
    c.threshold = own.at(metric_name(metric));
    c.source = "card";
  }
  return c;
}

std::string gallery_model(const RecognitionRequest& request, const Recognizer& recognizer) {
  return recognizer.name() + (request.alignment.empty() ? "" : "@" + request.alignment) +
         (recognizer.card().flip ? "+flip" : "");
}

Decision decide(const Recognizer& recognizer, Metric metric, const std::optional<double>& user_threshold,
                const std::optional<double>& far) {
  check(!(user_threshold && far), "--far", "cannot be combined with --threshold (each sets the threshold)");
  Decision d{0, recognizer_calibration(recognizer, metric), ""};
  if (user_threshold) {
    d.threshold = *user_threshold;
    d.source = "user";
  } else if (far) {
    const FarChoice choice = threshold_for_far(d.calibration, *far);
    d.threshold = choice.threshold;
    d.source = d.calibration.source + ", FAR " + choice.far;
  } else {
    check(d.calibration.threshold.has_value(), "model " + recognizer.name() + ", metric " + metric_name(metric),
          "no threshold is known: run `facekit calibrate --model " + recognizer.name() + " --metric " +
              metric_name(metric) + " ...` or pass --threshold");
    d.threshold = *d.calibration.threshold;
    d.source = d.calibration.source;
  }
  return d;
}

std::vector<FaceEmbedding> embed_with(RecognitionModels& m, const NamedImage& image, bool one_face) {
  try {
    EmbedFacesOptions options;
    options.detect = m.detector.has_value();
    if (one_face) options.one_face = m.face;
    options.whole_image_fallback = m.whole_image_fallback;
    return embed_faces(image.rgb, m.detector ? m.detector->get() : nullptr, *m.recognizer, m.landmarker.get(),
                       options);
  } catch (const Error& e) {
    throw Error(image.name + ": " + e.what());
  }
}

RecognitionModels EngineImpl::borrow(const RecognitionRequest& r, int threads) {
  check(r.if_no_face == "refuse" || r.if_no_face == "whole-image", "--if-no-face",
        "'" + r.if_no_face + "' is neither refuse nor whole-image");
  const FaceChoice face = parse_face_choice(r.face);
  check(!is_fusion(r.model), "--model " + r.model,
        "a fused model gives no single embedding: represent and cluster take one recognizer "
        "(verify, enroll, find, eval and calibrate take a fusion)");
  // The recognizer first, so a typo in its name is reported before anything else is loaded.
  auto recognizer = borrow_from<Recognizer>(
      pools_mutex, recognizers,
      r.model + (r.flip ? (*r.flip ? "|flip|" : "|noflip|") : "||") + r.alignment + "|" + std::to_string(threads),
      // By value: the pool keeps this loader for later loads, after `r` is gone.
      [model = r.model, flip = r.flip, alignment = r.alignment, threads] {
        return make_recognizer(model, {.threads = threads, .flip = flip, .alignment = alignment});
      });
  const Metric metric = parse_metric(r.metric.empty() ? recognizer->card().metric : r.metric);
  const DetectOptions detect{.threads = threads};
  std::optional<ModelPool<Detector>::Lease> detector;
  if (!r.no_detect) detector.emplace(borrow_detector(r.detector, detect));
  std::string detector_name = detector ? (*detector)->name() : "none";
  auto landmarker = borrow_landmarker(r.landmarker, threads);
  return {std::move(recognizer), std::move(detector), std::move(landmarker), metric, std::move(detector_name),
          r.if_no_face == "whole-image", face};
}

ModelPool<Detector>::Lease EngineImpl::borrow_detector(const std::string& name, const DetectOptions& options) {
  return borrow_from<Detector>(pools_mutex, detectors, detector_key(name, options),
                               [name, options] { return make_detector(name, options); });
}

ModelPool<Landmarker>::Lease EngineImpl::borrow_landmarker(const std::string& name, int threads) {
  return borrow_from<Landmarker>(pools_mutex, landmarkers, name + "|" + std::to_string(threads),
                                 [name, threads] { return make_landmarker(name, {.threads = threads}); });
}

ModelPool<Analyzer>::Lease EngineImpl::borrow_analyzer(const AnalyzeOptions& options, const std::string& actions) {
  return borrow_from<Analyzer>(pools_mutex, analyzers,
                               actions + "|" + options.executor + "|" + std::to_string(options.threads),
                               [options] { return std::make_unique<Analyzer>(options); });
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<EngineImpl>()) {
  check(options.threads >= 0, "--threads", "must not be negative");
  impl_->options = options;
}

Engine::~Engine() = default;

void Engine::prepare(const DetectRequest& request) {
  impl_->borrow_detector(request.detector, detect_options(request, impl_->options.threads));
}

void Engine::prepare(const RepresentRequest& request) { impl_->borrow(request.recognition, impl_->options.threads); }

void Engine::prepare(const VerifyRequest& request) {
  if (is_fusion(request.recognition.model)) {
    const FusedModels m = impl_->borrow_fused(request.recognition, impl_->options.threads);
    fused_threshold(m.card, request.threshold, request.far);
    return;
  }
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  decide(*m.recognizer, m.metric, request.threshold, request.far);
}

void Engine::prepare(const AnalyzeRequest& request) {
  const AnalyzeOptions options = analyze_options(request, impl_->options.threads);
  if (!request.no_detect)
    impl_->borrow_detector(request.detector, {.executor = request.executor, .threads = impl_->options.threads});
  auto analyzer = impl_->borrow_analyzer(options, request.actions);
  if (!request.no_detect && has_faceapi_head(analyzer->heads()))
    impl_->borrow_landmarker(kFaceApiLandmarker, impl_->options.threads);
}

Metric Engine::metric_of(const RecognitionRequest& request) {
  return impl_->borrow(request, impl_->options.threads).metric;
}

RecognizerCard Engine::card_of(const RecognitionRequest& request) {
  return impl_->borrow(request, impl_->options.threads).recognizer->card();
}

std::string Engine::gallery_model_of(const RecognitionRequest& request) {
  return gallery_model(request, *impl_->borrow(request, impl_->options.threads).recognizer);
}

std::vector<std::string> Engine::loaded_models() {
  std::set<std::string> names;
  auto add = [&names](const std::string& kind, const auto& pools) {
    for (const auto& entry : pools) names.insert(kind + ":" + entry.first.substr(0, entry.first.find('|')));
  };
  const std::lock_guard lock(impl_->pools_mutex);
  add("detector", impl_->detectors);
  add("landmarker", impl_->landmarkers);
  add("recognizer", impl_->recognizers);
  add("analyzer", impl_->analyzers);
  return {names.begin(), names.end()};
}

void Engine::forget_gallery(const std::string& db) { impl_->forget_finders(db); }

void Engine::update_gallery(const std::string& db, std::span<const int64_t> vector_ids) {
  impl_->update_finders(db, vector_ids);
}

Engine::IndexCounts Engine::index_counts() const {
  return {impl_->finders_built, impl_->finders_updated_in_place, impl_->finders_updated_by_rebuild};
}

std::string Engine::embedding_configuration(const RecognitionRequest& request) {
  RecognitionModels m = impl_->borrow(request, impl_->options.threads);
  return gallery_model(request, *m.recognizer) + " model=" + m.recognizer->card().model + " detector=" +
         m.detector_name + " landmarker=" + request.landmarker + " if_no_face=" + request.if_no_face + " face=" + request.face;
}

Engine::ThresholdChoice Engine::threshold_of(const RecognitionRequest& request, const std::optional<double>& threshold,
                                             const std::optional<double>& far) {
  if (is_fusion(request.model)) {
    const FusedModels fused = impl_->borrow_fused(request, impl_->options.threads);
    return {fused_threshold(fused.card, threshold, far), threshold ? "user" : "fusion card " + fused.card.source};
  }
  RecognitionModels m = impl_->borrow(request, impl_->options.threads);
  const Decision d = decide(*m.recognizer, m.metric, threshold, far);
  return {d.threshold, d.source};
}

std::vector<FaceEmbedding> Engine::embed(const NamedImage& image, const RecognitionRequest& request, bool one_face) {
  RecognitionModels m = impl_->borrow(request, impl_->options.threads);
  return embed_with(m, image, one_face);
}

DetectResult Engine::detect(const NamedImage& image, const DetectRequest& request) {
  auto detector = impl_->borrow_detector(request.detector, detect_options(request, impl_->options.threads));
  DetectResult r{image.name, image.rgb.cols, image.rgb.rows, detector->name(), {}};
  try {
    r.faces = detect_with_retry(*detector, image.rgb);
  } catch (const Error& e) {
    throw Error(image.name + ": " + e.what());
  }
  return r;
}

RepresentResult Engine::represent(const NamedImage& image, const RepresentRequest& request) {
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  RepresentResult r;
  r.image = image.name;
  r.model = m.recognizer->name();
  r.dimension = m.recognizer->dimension();
  r.l2_normalized = m.recognizer->card().l2_normalized;
  r.detector = m.detector_name;
  r.faces = embed_with(m, image, request.one_face);
  return r;
}

VerifyResult Engine::verify(const NamedImage& a, const NamedImage& b, const VerifyRequest& request) {
  if (is_fusion(request.recognition.model)) return verify_fused(*impl_, a, b, request);
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  const Decision decision = decide(*m.recognizer, m.metric, request.threshold, request.far);  // before any image is embedded
  const std::vector<FaceEmbedding> faces_a = embed_with(m, a, !request.all_pairs);
  require_face(!faces_a.empty(), a.name);
  const std::vector<FaceEmbedding> faces_b = embed_with(m, b, !request.all_pairs);
  require_face(!faces_b.empty(), b.name);

  // The user's threshold, or the one --far chose; else verify() takes the calibrated one.
  const std::optional<double> threshold = request.far ? decision.threshold : request.threshold;
  VerifyResult r;
  for (size_t i = 0; i < faces_a.size(); ++i)
    for (size_t j = 0; j < faces_b.size(); ++j)
      r.pairs.push_back(
          {i, j, facekit::verify(faces_a[i].embedding, faces_b[j].embedding, m.metric, threshold, decision.calibration)});
  const VerifiedPair* best = &r.pairs[0];
  for (const VerifiedPair& p : r.pairs)
    if (p.verification.distance < best->verification.distance) best = &p;
  r.image_a = a.name;
  r.image_b = b.name;
  r.face_a = faces_a[best->a].face;
  r.face_b = faces_b[best->b].face;
  r.face_found_a = faces_a[best->a].face_found;
  r.face_found_b = faces_b[best->b].face_found;
  r.decision = best->verification;
  r.threshold_source = decision.source;
  r.metric = metric_name(m.metric);
  r.model = m.recognizer->name();
  r.detector = m.detector_name;
  r.all_pairs = request.all_pairs;
  return r;
}

AnalyzeResult Engine::analyze(const NamedImage& image, const AnalyzeRequest& request) {
  const AnalyzeOptions options = analyze_options(request, impl_->options.threads);
  std::optional<ModelPool<Detector>::Lease> detector;
  if (!request.no_detect)
    detector.emplace(impl_->borrow_detector(request.detector, {.executor = request.executor, .threads = impl_->options.threads}));
  auto analyzer = impl_->borrow_analyzer(options, request.actions);
  AnalyzeResult r{image.name, image.rgb.cols, image.rgb.rows, detector ? (*detector)->name() : "none", analyzer->heads(), {}, {}};
  try {
    r.faces = detector ? detect_with_retry(**detector, image.rgb) : std::vector<Face>{whole_face(image.rgb)};
    if (detector && has_faceapi_head(r.heads)) {
      auto landmarker = impl_->borrow_landmarker(kFaceApiLandmarker, impl_->options.threads);
      for (Face& face : r.faces) landmarker->locate(image.rgb, face);
    }
    r.analyses = analyzer->analyze(image.rgb, r.faces);
  } catch (const Error& e) {
    throw Error(image.name + ": " + e.what());
  }
  return r;
}

}  // namespace facekit
