#include "serve/gallery_service.h"

#include <algorithm>

#include "facekit/error.h"
#include "facekit/zoo.h"
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

std::string GalleryService::search_location() {
  return sync_ ? sync_->search_location() : location_as_given_;
}

Gallery& GalleryService::gallery() const {
  if (!gallery_.connected()) gallery_ = Gallery(location_as_given_);
  return gallery_;
}

void GalleryService::written() {
  engine_.forget_gallery(location_as_given_);
  if (sync_) sync_->wrote();
}

StoredFace GalleryService::add_face(const std::string& subject, const ImageUpload& upload, const NamedImage& image,
                                    const RecognitionRequest& recognition, bool create_subject) {
  if (subject.empty()) throw HttpError(400, "subject: must not be empty");
  const std::string model = engine_.gallery_model_of(recognition);
  std::vector<FaceEmbedding> faces = engine_.embed(image, recognition, /*largest_only=*/true);
  if (faces.empty()) throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  const std::string hash = zoo::Sha256().add(upload.bytes.data(), upload.bytes.size()).hex();
  // The file name carries the content hash: a second photo under the same
  // upload name is another photo, not a replacement of the first.
  PhotoEnrollment photo{subject, upload.name + "#" + hash.substr(0, 16), hash, model, {}};
  for (const FaceEmbedding& f : faces) photo.faces.push_back({f.face.box, f.embedding, face_thumbnail(f.crop)});
  const std::lock_guard lock(mutex_);
  if (!gallery().has_person(subject)) {
    if (!create_subject) throw HttpError(404, "no such subject: " + subject);
  }
  const EnrollReport report = gallery().enroll({photo}).front();
  written();
  if (report.outcome == EnrollOutcome::kDuplicate)
    throw HttpError(409, "this image is already stored for " + report.existing_identity);
  for (const StoredVector& v : gallery().vectors(model))
    if (v.content_hash == hash && v.identity == subject) return {v.id, subject, model};
  throw Error(location() + ": the face just stored is not found");
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
  const std::vector<StoredFace> stored = faces(subject);
  const std::lock_guard lock(mutex_);
  if (!gallery().has_person(subject)) throw HttpError(404, "no such subject: " + subject);
  for (const StoredFace& f : stored) gallery().remove_photo_of(f.image_id);
  written();
  return static_cast<int>(stored.size());
}

std::vector<StoredFace> GalleryService::faces(const std::string& subject) const {
  const std::lock_guard lock(mutex_);
  std::vector<StoredFace> out;
  for (const std::string& model : gallery().models())
    for (const StoredVector& v : gallery().vectors(model))
      if (subject.empty() || v.identity == subject) out.push_back({v.id, v.identity, model});
  std::sort(out.begin(), out.end(), [](const StoredFace& a, const StoredFace& b) {
    return std::tie(a.subject, a.image_id) < std::tie(b.subject, b.image_id);
  });
  return out;
}

StoredFace GalleryService::remove_face(int64_t image_id) {
  for (const StoredFace& f : faces()) {
    if (f.image_id != image_id) continue;
    const std::lock_guard lock(mutex_);
    gallery().remove_photo_of(image_id);
    written();
    return f;
  }
  throw HttpError(404, "no such face: " + std::to_string(image_id));
}

std::vector<uint8_t> GalleryService::thumbnail(int64_t image_id) const {
  const std::vector<StoredFace> stored = faces();
  if (std::none_of(stored.begin(), stored.end(), [&](const StoredFace& f) { return f.image_id == image_id; }))
    throw HttpError(404, "no such face: " + std::to_string(image_id));
  const std::lock_guard lock(mutex_);
  const std::vector<uint8_t> jpeg = gallery().thumbnail(image_id);  // a damaged row: Error naming it
  if (jpeg.empty()) throw HttpError(404, "face " + std::to_string(image_id) + " was stored without a thumbnail");
  return jpeg;
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
