// Engine::find and Engine::cluster: identification against a gallery, and
// grouping without one.
#include <filesystem>
#include <fstream>

#include "engine/engine_impl.h"
#include "facekit/cluster.h"
#include "facekit/error.h"
#include "facekit/gallery.h"

namespace facekit {

namespace {

namespace fs = std::filesystem;

// Every field of a find request but those that do not change the gallery or
// the identifier (k, thumbnails).
std::string finder_key(const FindRequest& r) {
  const RecognitionRequest& q = r.recognition;
  return r.db + '\0' + q.model + '\0' + q.metric + '\0' + q.detector + '\0' + q.landmarker + '\0' +
         (q.no_detect ? "1" : "0") + (q.flip ? "1" : "0") + '\0' + q.alignment + '\0' + q.if_no_face + '\0' +
         (r.threshold ? key_number(*r.threshold) : "") + '\0' + (r.far ? key_number(*r.far) : "") + '\0' + r.aggregation + '\0' + std::to_string(r.top_n) +
         '\0' + r.index;
}

// Writes the thumbnail of `identity`'s stored vector nearest to `query` into
// `dir`, named by the vector's id (never by the identity); its path, or
// nothing when that vector has none. Called with the finder's lock held.
std::optional<std::string> write_thumbnail(const Finder& finder, const std::string& identity,
                                           const std::vector<float>& query, const std::string& dir) {
  const StoredVector* nearest = nullptr;
  double best = 0;
  for (const auto& v : finder.vectors) {
    if (v.identity != identity) continue;
    const double d = distance(query, v.vector, finder.metric);
    if (!nearest || d < best) std::tie(nearest, best) = std::pair(&v, d);
  }
  const std::vector<uint8_t> jpeg = finder.gallery->thumbnail(nearest->id);
  if (jpeg.empty()) return std::nullopt;
  const std::string path = (fs::path(dir) / ("vector-" + std::to_string(nearest->id) + ".jpg")).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  check(out.good(), path, "cannot write the thumbnail");
  return path;
}

void ensure_folder(const std::string& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  check(!ec, folder, "cannot create the folder: " + ec.message());
}

}  // namespace

std::shared_ptr<Finder> EngineImpl::finder(const FindRequest& r, const Listener& listener) {
  check(r.k >= 1, "-k", "must be at least 1");
  check(r.top_n >= 1, "--top-n", "must be at least 1");
  const std::string key = finder_key(r);
  const std::lock_guard lock(finders_mutex);
  if (auto it = finders.find(key); it != finders.end()) return it->second;

  auto f = std::make_shared<Finder>();
  {
    RecognitionModels m = borrow(r.recognition, options.threads);
    f->db = r.db;
    f->model = gallery_model(r.recognition, *m.recognizer);
    f->metric = m.metric;
    f->decision = decide(*m.recognizer, m.metric, r.threshold, r.far);  // before any image is read
  }
  std::error_code ec;
  if (fs::is_directory(r.db, ec)) {  // a people folder: enrolled into a gallery in memory
    f->gallery = std::make_unique<Gallery>(":memory:");
    EnrollResult ignored;
    enroll_folder(*this, *f->gallery, r.recognition, options.threads, r.db, 64, /*jobs=*/1, listener, ignored);
  } else {
    if (!is_postgres_location(r.db))
      check(fs::exists(r.db, ec), r.db, "no such gallery (create it with `facekit enroll FOLDER --db " + r.db + "`)");
    f->gallery = std::make_unique<Gallery>(r.db, GalleryAccess::kReadOnly);
  }
  f->vectors = f->gallery->vectors(f->model);
  check(!f->vectors.empty(), f->gallery->location(),
        "no vectors of model " + f->model + " here (enroll with --model " + f->model + ")");
  IdentifyOptions options;
  options.metric = f->metric;
  options.threshold = f->decision.threshold;
  options.logistic = f->decision.calibration.logistic;
  options.aggregation = parse_aggregation(r.aggregation);
  options.top_n = r.top_n;
  options.index = r.index;
  f->identifier.emplace(f->vectors, options);
  return finders[key] = f;
}

void EngineImpl::forget_finders(const std::string& db) {
  const std::lock_guard lock(finders_mutex);
  std::erase_if(finders, [&](const auto& entry) { return entry.second->db == db; });
}

void Engine::prepare(const FindRequest& request, const Listener& listener) {
  impl_->finder(request, listener);
  if (!request.thumbnails.empty()) ensure_folder(request.thumbnails);
}

FindResult Engine::find(const NamedImage& image, const FindRequest& request, const Listener& listener) {
  const std::shared_ptr<Finder> finder = impl_->finder(request, listener);
  if (!request.thumbnails.empty()) ensure_folder(request.thumbnails);
  std::vector<FaceEmbedding> faces;
  {
    RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
    faces = embed_with(m, image, /*largest_only=*/false);
  }
  FindResult r{image.name, finder->model, metric_name(finder->metric), finder->decision.threshold,
               finder->decision.source, request.aggregation, {}};
  const std::lock_guard lock(finder->mutex);
  for (const FaceEmbedding& f : faces) {
    FoundFace found{f.face, finder->identifier->identify(f.embedding, request.k), std::nullopt};
    if (!request.thumbnails.empty() && found.identification.identity)
      found.thumbnail = write_thumbnail(*finder, *found.identification.identity, f.embedding, request.thumbnails);
    r.faces.push_back(std::move(found));
  }
  return r;
}

void Engine::prepare(const ClusterRequest& request) {
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  decide(*m.recognizer, m.metric, request.threshold, request.far);
}

ClusterResult Engine::cluster(const ClusterRequest& request, const Listener& listener) {
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  const Decision decision = decide(*m.recognizer, m.metric, request.threshold, request.far);
  ClusterResult r;
  r.folder = request.folder;
  r.model = gallery_model(request.recognition, *m.recognizer);
  r.metric = metric_name(m.metric);
  r.threshold = decision.threshold;
  r.threshold_source = decision.source;
  std::vector<std::vector<float>> vectors;
  const auto images = list_image_files(request.folder, [&](const std::string& line) { note(listener, line + " (skipped)"); });
  for (size_t i = 0; i < images.size(); ++i) {
    if (listener.progress) listener.progress(i, images.size(), images[i]);
    std::vector<FaceEmbedding> faces;
    try {
      faces = embed_with(m, read_named_image(images[i]), /*largest_only=*/false);
    } catch (const Error& e) {
      note(listener, std::string(e.what()) + " (skipped)");
      ++r.unreadable;
      continue;
    }
    if (faces.empty()) note(listener, images[i] + ": " + kNoFaceAdvice + " (skipped)");
    for (const auto& f : faces) {
      r.faces.push_back({images[i], f.face.box});
      vectors.push_back(f.embedding);
    }
  }
  if (listener.progress) listener.progress(images.size(), images.size(), "");
  ClusterOptions options;
  options.metric = m.metric;
  options.threshold = decision.threshold;
  r.clustering = cluster_faces(vectors, options);
  return r;
}

}  // namespace facekit
