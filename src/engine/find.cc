// Engine::find and Engine::cluster: identification against a gallery, and
// grouping without one.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <unordered_set>

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
         (q.no_detect ? "1" : "0") + (q.flip ? (*q.flip ? "1" : "0") : "-") + '\0' + q.alignment + '\0' + q.if_no_face + '\0' +
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

// A people folder is enrolled into a gallery in memory, not read from one.
bool is_people_folder(const std::string& db) {
  std::error_code ec;
  return fs::is_directory(db, ec);
}

}  // namespace

void EngineImpl::open_gallery(Finder& f, const FindRequest& r, const std::vector<RecognitionRequest>& members,
                              const Listener& listener) {
  std::error_code ec;
  if (is_people_folder(r.db)) {
    f.gallery = std::make_unique<Gallery>(":memory:");
    for (size_t k = 0; k < members.size(); ++k) {
      EnrollResult ignored;
      enroll_folder(*this, *f.gallery, members[k], options.threads, r.db, 64, /*jobs=*/1, k == 0 ? listener : Listener{},
                    ignored);
    }
  } else {
    if (!is_postgres_location(r.db))
      check(fs::exists(r.db, ec), r.db, "no such gallery (create it with `facekit enroll FOLDER --db " + r.db + "`)");
    f.gallery = std::make_unique<Gallery>(r.db, GalleryAccess::kReadOnly);
  }
}

std::shared_ptr<Finder> EngineImpl::fused_finder(const FindRequest& r, const Listener& listener) {
  check(r.index == "exact", "--index " + r.index, "a fused model searches every person exactly (--index exact)");
  FusedModels m = borrow_fused(r.recognition, options.threads);
  auto f = std::make_shared<Finder>();
  f->db = r.db;
  f->model = m.card.name;
  f->fusion = m.card;
  f->decision.threshold = fused_threshold(m.card, r.threshold, r.far);  // before any image is read
  f->decision.calibration.source = "fusion card " + m.card.source;
  f->decision.source = r.threshold ? "user" : f->decision.calibration.source;
  open_gallery(*f, r, m.requests, listener);
  for (size_t k = 0; k < m.requests.size(); ++k) {
    const std::string member_model = gallery_model(m.requests[k], *m.members[k].recognizer);
    std::vector<StoredVector> vectors = f->gallery->vectors(member_model);
    check(!vectors.empty(), f->gallery->location(),
          "no vectors of model " + member_model + " here (enroll with --model " + m.card.name + ")");
    IdentifyOptions o;
    o.metric = m.card.members[k].metric;
    o.threshold = 1;  // unused: the fused distance decides
    o.aggregation = parse_aggregation(r.aggregation);
    o.top_n = r.top_n;
    f->member_identifiers.emplace_back(vectors, o);
    if (k == 0) {
      f->metric = o.metric;
      f->vectors = std::move(vectors);
    }
  }
  return f;
}

namespace {

// Who a fused model's face is: each member's distance to every person
// (aggregated as asked), fused per person present in every member's vectors.
Identification identify_fused(const Finder& f, const FusedFace& face, int k) {
  const FusionCard& card = *f.fusion;
  std::map<std::string, std::vector<double>> per_person;
  for (size_t m = 0; m < card.members.size(); ++m) {
    const Identifier& identifier = f.member_identifiers[m];
    const int everyone = static_cast<int>(identifier.identity_count());
    for (const Candidate& c : identifier.identify(face.embeddings[m], std::max(everyone, 1)).candidates) {
      auto& distances = per_person[c.identity];
      if (distances.size() == m) distances.push_back(c.distance);
    }
  }
  std::vector<Candidate> fused;
  for (const auto& [identity, distances] : per_person)
    if (distances.size() == card.members.size()) fused.push_back({identity, fused_distance(card, distances)});
  std::stable_sort(fused.begin(), fused.end(), [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
  Identification id;
  id.calibrated = true;
  id.distance = fused.empty() ? std::numeric_limits<double>::infinity() : fused[0].distance;
  id.margin = fused.size() < 2 ? std::numeric_limits<double>::infinity() : fused[1].distance - fused[0].distance;
  const double p1 = fused.empty() ? 0 : 1 - fused[0].distance, p2 = fused.size() < 2 ? 0 : 1 - fused[1].distance;
  if (!fused.empty() && fused[0].distance <= f.decision.threshold) {
    id.identity = fused[0].identity;
    id.confidence = p1 * (1 - p2);
  } else {
    id.confidence = 1 - p1;
  }
  if (fused.size() > static_cast<size_t>(k)) fused.resize(static_cast<size_t>(k));
  id.candidates = std::move(fused);
  return id;
}

}  // namespace

namespace {

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

  if (is_fusion(r.recognition.model)) {
    finders[key] = fused_finder(r, listener);
    ++finders_built;
    return finders[key];
  }
  auto f = std::make_shared<Finder>();
  {
    RecognitionModels m = borrow(r.recognition, options.threads);
    f->db = r.db;
    f->model = gallery_model(r.recognition, *m.recognizer);
    f->metric = m.metric;
    f->decision = decide(*m.recognizer, m.metric, r.threshold, r.far);  // before any image is read
  }
  open_gallery(*f, r, {r.recognition}, listener);
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
  ++finders_built;
  return finders[key] = f;
}

void EngineImpl::forget_finders(const std::string& db) {
  const std::lock_guard lock(finders_mutex);
  std::erase_if(finders, [&](const auto& entry) { return entry.second->db == db; });
}

// Holding finders_mutex: a finder being opened (which holds it) is updated
// once it is in the map, so that no change slips between its read of the
// gallery and the log read that led here (updates are idempotent).
void EngineImpl::update_finders(const std::string& db, std::span<const int64_t> vector_ids) {
  const std::lock_guard lock(finders_mutex);
  std::erase_if(finders, [&](const auto& entry) {
    Finder& f = *entry.second;
    if (f.db != db) return false;
    if (f.fusion || !f.identifier || !f.gallery->connected() || is_people_folder(f.db)) return true;
    const std::lock_guard finder_lock(f.mutex);
    try {
      std::vector<StoredVector> changed = f.gallery->vectors_with_ids(f.model, vector_ids);
      const bool in_place = f.identifier->update(vector_ids, changed);
      ++(in_place ? finders_updated_in_place : finders_updated_by_rebuild);
      const std::unordered_set<int64_t> touched(vector_ids.begin(), vector_ids.end());
      std::erase_if(f.vectors, [&](const StoredVector& v) { return touched.contains(v.id); });
      for (auto& v : changed) f.vectors.push_back(std::move(v));
      return false;
    } catch (const std::exception&) {
      return true;  // built afresh at the next search
    }
  });
}

void Engine::prepare(const FindRequest& request, const Listener& listener) {
  impl_->finder(request, listener);
  if (!request.thumbnails.empty()) ensure_folder(request.thumbnails);
}

FindResult Engine::find(const NamedImage& image, const FindRequest& request, const Listener& listener) {
  const std::shared_ptr<Finder> finder = impl_->finder(request, listener);
  if (!request.thumbnails.empty()) ensure_folder(request.thumbnails);
  if (finder->fusion) {
    std::vector<FusedFace> faces;
    {
      FusedModels m = impl_->borrow_fused(request.recognition, impl_->options.threads);
      faces = embed_fused(m, image, /*one_face=*/false);
    }
    FindResult r{image.name,
                 finder->model,
                 "fusion",
                 finder->decision.threshold,
                 finder->decision.source,
                 request.aggregation,
                 {}};
    const std::lock_guard lock(finder->mutex);
    for (const FusedFace& f : faces) {
      FoundFace found{f.face, identify_fused(*finder, f, request.k), std::nullopt};
      if (!request.thumbnails.empty() && found.identification.identity)
        found.thumbnail = write_thumbnail(*finder, *found.identification.identity, f.embeddings[0], request.thumbnails);
      r.faces.push_back(std::move(found));
    }
    return r;
  }
  std::vector<FaceEmbedding> faces;
  {
    RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
    faces = embed_with(m, image, /*one_face=*/false);
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
      faces = embed_with(m, read_named_image(images[i]), /*one_face=*/false);
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
