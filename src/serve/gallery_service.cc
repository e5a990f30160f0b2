#include "serve/gallery_service.h"

#include <algorithm>
#include <limits>

#include "facekit/error.h"
#include "serve/http_error.h"

namespace facekit::serve {

GalleryService::GalleryService(std::string name, const std::string& location, Engine& engine,
                               const std::string& replica, std::ostream& log)
    : name_(std::move(name)), location_as_given_(location), engine_(engine), gallery_(location) {
  if (!replica.empty())
    check(is_postgres_location(location) && is_postgres_location(replica), "--replica " + masked_location(replica),
          "a read replica needs a PostgreSQL gallery and a postgresql:// URI (gallery " + gallery_.location() + ")");
  if (is_postgres_location(location)) sync_ = std::make_unique<GallerySync>(location, replica, engine, log);
}

const std::string& GalleryService::location() const { return gallery_.location(); }

namespace {

StoredFace stored_face(const StoredFaceEntry& e) {
  StoredFace f;
  f.image_id = e.id;
  f.subject = e.identity;
  f.model = e.model;
  return f;
}

}  // namespace

std::string GalleryService::search_location() {
  return sync_ ? sync_->search_location() : location_as_given_;
}

Gallery& GalleryService::gallery() const {
  if (!gallery_.connected()) gallery_ = Gallery(location_as_given_);
  return gallery_;
}

void GalleryService::written() {
  if (sync_)
    sync_->wrote();  // applied to the index in place
  else
    engine_.forget_gallery(location_as_given_);
}

StoredFace GalleryService::add_face(const std::string& subject, const NamedImage& image,
                                    const RecognitionRequest& recognition) {
  if (subject.empty()) throw HttpError(400, "subject: must not be empty");
  EnrollImageRequest request;
  request.identity = subject;
  request.recognition = recognition;
  const PhotoEnrollment photo = engine_.enrollment_of(image, request);  // the slow part, outside the lock
  const std::lock_guard lock(mutex_);
  const EnrollResult result = Engine::enroll_photo(photo, gallery());
  written();
  if (result.duplicates > 0) throw HttpError(409, "this image is already stored for " + result.existing_identity);
  check(!result.vector_ids.empty(), location(), "the face just stored has no vector");
  StoredFace f;
  f.image_id = result.vector_ids.front();
  f.subject = subject;
  f.model = photo.model;
  return f;
}

std::vector<std::string> GalleryService::subjects() const {
  const std::lock_guard lock(mutex_);
  return gallery().people();
}

void GalleryService::add_subject(const std::string& subject) {
  const std::lock_guard lock(mutex_);
  if (gallery().has_person(subject)) throw HttpError(409, "subject already exists: " + subject);
  gallery().add_person(subject);
}

void GalleryService::rename_subject(const std::string& from, const std::string& to) {
  const std::lock_guard lock(mutex_);
  if (!gallery().has_person(from)) throw HttpError(404, "no such subject: " + from);
  if (gallery().has_person(to)) throw HttpError(409, "subject already exists: " + to);
  gallery().rename_person(from, to);
  written();
}

void GalleryService::remove_subject(const std::string& subject) {
  const std::lock_guard lock(mutex_);
  if (!gallery().has_person(subject)) throw HttpError(404, "no such subject: " + subject);
  gallery().remove_person(subject);
  written();
}

int GalleryService::remove_faces_of(const std::string& subject) {
  const std::lock_guard lock(mutex_);
  if (!gallery().has_person(subject)) throw HttpError(404, "no such subject: " + subject);
  const std::vector<StoredFaceEntry> stored = gallery().faces(subject, 0, gallery().face_count(subject));
  for (const StoredFaceEntry& f : stored) gallery().remove_photo_of(f.id);
  written();
  return static_cast<int>(stored.size());
}

std::vector<StoredFace> GalleryService::faces(const std::string& subject, int64_t offset, int64_t limit) const {
  const std::lock_guard lock(mutex_);
  std::vector<StoredFace> out;
  for (const StoredFaceEntry& e : gallery().faces(subject, offset, limit)) out.push_back(stored_face(e));
  return out;
}

int64_t GalleryService::face_count(const std::string& subject) const {
  const std::lock_guard lock(mutex_);
  return gallery().face_count(subject);
}

StoredFace GalleryService::remove_face(int64_t image_id) {
  const std::lock_guard lock(mutex_);
  const std::optional<StoredFaceEntry> face = gallery().face(image_id);
  if (!face) throw HttpError(404, "no such face: " + std::to_string(image_id));
  gallery().remove_photo_of(image_id);
  written();
  return stored_face(*face);
}

std::vector<uint8_t> GalleryService::thumbnail(int64_t image_id) const {
  const std::lock_guard lock(mutex_);
  if (!gallery().face(image_id)) throw HttpError(404, "no such face: " + std::to_string(image_id));
  const std::vector<uint8_t> jpeg = gallery().thumbnail(image_id);  // a damaged row: Error naming it
  if (jpeg.empty()) throw HttpError(404, "face " + std::to_string(image_id) + " was stored without a thumbnail");
  return jpeg;
}

std::map<std::string, int64_t> GalleryService::nearest_faces(const std::vector<std::string>& identities,
                                                             const std::string& model, std::span<const float> query,
                                                             Metric metric) const {
  std::map<std::string, double> best;
  for (const std::string& identity : identities) best[identity] = std::numeric_limits<double>::infinity();
  std::map<std::string, int64_t> nearest;
  const std::lock_guard lock(mutex_);
  for (const StoredVector& v : gallery().vectors(model)) {
    const auto wanted = best.find(v.identity);
    if (wanted == best.end() || v.vector.size() != query.size()) continue;
    if (const double d = distance(query, v.vector, metric); d < wanted->second) {
      wanted->second = d;
      nearest[v.identity] = v.id;
    }
  }
  return nearest;
}

int64_t GalleryService::vector_count(const std::string& model) const {
  const std::lock_guard lock(mutex_);
  return gallery().vector_count(model);
}

int64_t GalleryService::subject_count() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int64_t>(gallery().people().size());
}

}  // namespace facekit::serve
