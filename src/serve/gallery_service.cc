#include "serve/gallery_service.h"

#include <algorithm>

#include "facekit/error.h"
#include "facekit/zoo.h"
#include "serve/http_error.h"

namespace facekit::serve {

GalleryService::GalleryService(std::string name, const std::string& location, Engine& engine)
    : name_(std::move(name)), location_as_given_(location), engine_(engine), gallery_(location) {}

const std::string& GalleryService::location() const { return gallery_.location(); }

StoredFace GalleryService::add_face(const std::string& subject, const ImageUpload& upload, const NamedImage& image,
                                    const RecognitionRequest& recognition, bool create_subject) {
  if (subject.empty()) throw HttpError(400, "subject: must not be empty");
  const std::string model = engine_.gallery_model_of(recognition);
  std::vector<FaceEmbedding> faces = engine_.embed(image, recognition, /*one_face=*/true);
  if (faces.empty()) throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  const std::string hash = zoo::Sha256().add(upload.bytes.data(), upload.bytes.size()).hex();
  // The file name carries the content hash: a second photo under the same
  // upload name is another photo, not a replacement of the first.
  PhotoEnrollment photo{subject, upload.name + "#" + hash.substr(0, 16), hash, model, {}};
  for (const FaceEmbedding& f : faces) photo.faces.push_back({f.face.box, f.embedding, face_thumbnail(f.crop)});
  const std::lock_guard lock(mutex_);
  if (!gallery_.has_person(subject)) {
    if (!create_subject) throw HttpError(404, "no such subject: " + subject);
  }
  const EnrollReport report = gallery_.enroll({photo}).front();
  engine_.forget_gallery(location_as_given_);
  if (report.outcome == EnrollOutcome::kDuplicate)
    throw HttpError(409, "this image is already stored for " + report.existing_identity);
  for (const StoredVector& v : gallery_.vectors(model))
    if (v.content_hash == hash && v.identity == subject) return {v.id, subject, model};
  throw Error(location() + ": the face just stored is not found");
}

std::vector<std::string> GalleryService::subjects() const {
  const std::lock_guard lock(mutex_);
  return gallery_.people();
}

void GalleryService::add_subject(const std::string& subject) {
  const std::lock_guard lock(mutex_);
  if (gallery_.has_person(subject)) throw HttpError(409, "subject already exists: " + subject);
  gallery_.add_person(subject);
}

void GalleryService::rename_subject(const std::string& from, const std::string& to) {
  const std::lock_guard lock(mutex_);
  if (!gallery_.has_person(from)) throw HttpError(404, "no such subject: " + from);
  if (gallery_.has_person(to)) throw HttpError(409, "subject already exists: " + to);
  gallery_.rename_person(from, to);
  engine_.forget_gallery(location_as_given_);
}

void GalleryService::remove_subject(const std::string& subject) {
  const std::lock_guard lock(mutex_);
  if (!gallery_.has_person(subject)) throw HttpError(404, "no such subject: " + subject);
  gallery_.remove_person(subject);
  engine_.forget_gallery(location_as_given_);
}

int GalleryService::remove_faces_of(const std::string& subject) {
  const std::vector<StoredFace> stored = faces(subject);
  const std::lock_guard lock(mutex_);
  if (!gallery_.has_person(subject)) throw HttpError(404, "no such subject: " + subject);
  for (const StoredFace& f : stored) gallery_.remove_photo_of(f.image_id);
  engine_.forget_gallery(location_as_given_);
  return static_cast<int>(stored.size());
}

std::vector<StoredFace> GalleryService::faces(const std::string& subject) const {
  const std::lock_guard lock(mutex_);
  std::vector<StoredFace> out;
  for (const std::string& model : gallery_.models())
    for (const StoredVector& v : gallery_.vectors(model))
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
    gallery_.remove_photo_of(image_id);
    engine_.forget_gallery(location_as_given_);
    return f;
  }
  throw HttpError(404, "no such face: " + std::to_string(image_id));
}

std::vector<uint8_t> GalleryService::thumbnail(int64_t image_id) const {
  const std::vector<StoredFace> stored = faces();
  if (std::none_of(stored.begin(), stored.end(), [&](const StoredFace& f) { return f.image_id == image_id; }))
    throw HttpError(404, "no such face: " + std::to_string(image_id));
  const std::lock_guard lock(mutex_);
  const std::vector<uint8_t> jpeg = gallery_.thumbnail(image_id);  // a damaged row: Error naming it
  if (jpeg.empty()) throw HttpError(404, "face " + std::to_string(image_id) + " was stored without a thumbnail");
  return jpeg;
}

int64_t GalleryService::vector_count(const std::string& model) const {
  const std::lock_guard lock(mutex_);
  return gallery_.vector_count(model);
}

int64_t GalleryService::subject_count() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int64_t>(gallery_.people().size());
}

}  // namespace facekit::serve
