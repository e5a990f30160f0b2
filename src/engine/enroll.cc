// Engine::enroll: a people folder into a gallery, photos examined on worker
// threads and written, in the folder's order, by the calling thread.
#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "engine/engine_impl.h"
#include "engine/in_order_workers.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/limits.h"

namespace facekit {

namespace {

// What a worker made of one photo of a people folder.
struct ExaminedPhoto {
  enum class Kind { kUnreadable, kStoredBefore, kEmbedded } kind = Kind::kUnreadable;
  PhotoEnrollment photo;  // kEmbedded: without faces when none was found
  std::string error;      // kUnreadable: why
};

// Hashes the photo and, unless `stored_before` knows its content, embeds the
// face the request's --face takes.
ExaminedPhoto examine(const LabelledPhoto& labelled, const std::string& model, RecognitionModels& models,
                      const std::function<bool(const std::string& hash)>& stored_before) {
  const std::string file = labelled.file.string();
  ExaminedPhoto out;
  try {
    const std::string hash = content_hash(labelled.file);
    if (stored_before(hash)) {
      out.kind = ExaminedPhoto::Kind::kStoredBefore;
      return out;
    }
    out.photo = {labelled.identity, file, hash, model, {}};
    for (const auto& f : embed_with(models, read_named_image(file), /*one_face=*/true))
      out.photo.faces.push_back({.box = f.face.box, .vector = f.embedding, .thumbnail = face_thumbnail(f.crop)});
    out.kind = ExaminedPhoto::Kind::kEmbedded;
  } catch (const Error& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace

void enroll_folder(EngineImpl& engine, Gallery& gallery, const RecognitionRequest& request, int threads,
                   const std::string& folder, int batch, int jobs, const Listener& listener, EnrollResult& counts) {
  const auto photos = people_folder(folder, [&](const std::string& line) { note(listener, line + " (skipped)"); });
  // Each worker borrows its own models for its life (model_pool.h); the
  // first borrow also checks the request before any photo is read.
  std::string model = gallery_model(request, *engine.borrow(request, threads).recognizer);
  counts.model = model;

  // The incremental check skips what the gallery held before this run. The
  // photos this run stores are left to enroll() (a second copy is then a
  // duplicate), whatever has been committed when a worker asks: that is
  // what keeps the outcome independent of timing and batches. The workers
  // ask through the writer's connection, one at a time.
  std::mutex gallery_mutex;
  std::unordered_set<std::string> stored_now;
  auto stored_before = [&](const std::string& hash) {
    const std::lock_guard lock(gallery_mutex);
    return !stored_now.contains(hash) && gallery.contains_photo(model, hash);
  };

  std::vector<PhotoEnrollment> pending;
  auto flush = [&] {
    std::vector<EnrollReport> reports;
    {
      const std::lock_guard lock(gallery_mutex);
      reports = gallery.enroll(pending);
      for (const PhotoEnrollment& p : pending) stored_now.insert(p.content_hash);
    }
    for (size_t i = 0; i < reports.size(); ++i) {
      switch (reports[i].outcome) {
        case EnrollOutcome::kAdded: ++counts.added; break;
        case EnrollOutcome::kReplaced: ++counts.replaced; break;
        case EnrollOutcome::kUnchanged: ++counts.unchanged; break;
        case EnrollOutcome::kDuplicate:
          ++counts.duplicates;
          note(listener, pending[i].file + ": the same photo as " + reports[i].existing_file + " of " +
                             reports[i].existing_identity + " (skipped)");
          break;
      }
    }
    pending.clear();
  };
  auto take = [&](size_t i, ExaminedPhoto&& examined) {
    switch (examined.kind) {
      case ExaminedPhoto::Kind::kUnreadable:
        note(listener, examined.error + " (skipped)");
        ++counts.unreadable;
        break;
      case ExaminedPhoto::Kind::kStoredBefore: ++counts.unchanged; break;
      case ExaminedPhoto::Kind::kEmbedded:
        if (examined.photo.faces.empty()) {  // remembered, so that a rerun does not read it again
          note(listener, examined.photo.file + ": " + kNoFaceAdvice + " (skipped)");
          ++counts.faceless;
        }
        pending.push_back(std::move(examined.photo));
        if (static_cast<int>(pending.size()) >= batch) flush();
        break;
    }
    if (listener.progress) listener.progress(i + 1, photos.size(), photos[i].file.string());
  };
  run_in_order<std::unique_ptr<RecognitionModels>, ExaminedPhoto>(
      photos.size(), jobs, 4 * static_cast<size_t>(std::max(jobs, 1)),
      [&] { return std::make_unique<RecognitionModels>(engine.borrow(request, threads)); },
      [&](std::unique_ptr<RecognitionModels>& m, size_t i) { return examine(photos[i], model, *m, stored_before); },
      take);
  if (!pending.empty()) flush();
}

// What one enrollment worker holds: its own models and executor scratch, and
// the photo in flight (decoded, resized for the detector); measured in
// docs/gallery.md.
constexpr size_t kEnrollWorkerBytes = size_t{256} << 20;

EnrollResult Engine::enroll(const EnrollRequest& request, const Listener& listener) {
  check(request.batch >= 1, "--batch", "must be at least 1");
  const int jobs = workers_within_budget(thread_count(request.jobs, "--jobs"), kEnrollWorkerBytes, "--jobs");
  // "All cores" for each of several workers would oversubscribe them.
  int threads = impl_->options.threads;
  if (jobs > 1 && threads == 0) threads = std::max(1, available_cores() / jobs);
  // A fused model enrolls each member's vectors in turn, the first member's
  // run reporting (the others meet the same photos and faces).
  const std::vector<RecognitionRequest> members = is_fusion(request.recognition.model)
                                                      ? Engine::fused_request(request.recognition).members
                                                      : std::vector<RecognitionRequest>{request.recognition};
  for (const RecognitionRequest& member : members)
    impl_->borrow(member, threads);  // names and models checked before the gallery is opened
  Gallery gallery(request.db);
  EnrollResult r;
  for (size_t k = 0; k < members.size(); ++k) {
    EnrollResult member_counts;
    enroll_folder(*impl_, gallery, members[k], threads, request.folder, request.batch, jobs, k == 0 ? listener : Listener{},
                  k == 0 ? r : member_counts);
  }
  const std::string first_model = r.model;
  if (members.size() > 1) r.model = request.recognition.model;
  impl_->forget_finders(request.db);  // their identifiers no longer hold every vector
  r.db = gallery.location();
  r.people = static_cast<int64_t>(gallery.people().size());
  r.vectors = gallery.vector_count(first_model);
  return r;
}

}  // namespace facekit
