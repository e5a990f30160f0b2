// Engine::enroll_image and Engine::remove_person: a gallery edited one image
// or one person at a time (the bindings' and a service's Gallery).
#include <filesystem>

#include "engine/engine_impl.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/zoo.h"

namespace facekit {

namespace {

// SHA-256 of the image's size and pixels, lowercase hex: equal for equal
// pixels, whatever file or array they came from.
std::string pixels_hash(const cv::Mat& rgb) {
  const cv::Mat pixels = rgb.isContinuous() ? rgb : rgb.clone();
  const int size[3] = {pixels.rows, pixels.cols, pixels.channels()};
  return zoo::Sha256().add(size, sizeof size).add(pixels.data, pixels.total() * pixels.elemSize()).hex();
}

}  // namespace

PhotoEnrollment Engine::enrollment_of(const NamedImage& image, const EnrollImageRequest& request) {
  check(!request.identity.empty(), image.name, "the identity to enroll it under is empty");
  check(image.rgb.type() == CV_8UC3 && !image.rgb.empty(), image.name, "not an 8-bit RGB image");
  RecognitionModels m = impl_->borrow(request.recognition, impl_->options.threads);
  PhotoEnrollment photo;
  photo.identity = request.identity;
  photo.content_hash = pixels_hash(image.rgb);
  photo.file = request.file.empty() ? "sha256:" + photo.content_hash : request.file;
  photo.model = gallery_model(request.recognition, *m.recognizer);
  const std::vector<FaceEmbedding> faces = embed_with(m, image, /*one_face=*/true);
  require_face(!faces.empty(), image.name);
  for (const FaceEmbedding& f : faces) photo.faces.push_back({.box = f.face.box, .vector = f.embedding, .thumbnail = face_thumbnail(f.crop)});
  return photo;
}

EnrollResult Engine::enroll_photo(const PhotoEnrollment& photo, Gallery& gallery) {
  const EnrollReport report = gallery.enroll({photo}).at(0);
  EnrollResult r;
  r.db = gallery.location();
  r.model = photo.model;
  switch (report.outcome) {
    case EnrollOutcome::kAdded: r.added = 1; break;
    case EnrollOutcome::kReplaced: r.replaced = 1; break;
    case EnrollOutcome::kUnchanged: r.unchanged = 1; break;
    case EnrollOutcome::kDuplicate: r.duplicates = 1; break;
  }
  r.people = static_cast<int64_t>(gallery.people().size());
  r.vectors = gallery.vector_count(r.model);
  r.vector_ids = report.vector_ids;
  r.existing_identity = report.existing_identity;
  return r;
}

EnrollResult Engine::enroll_image(const NamedImage& image, const EnrollImageRequest& request) {
  const PhotoEnrollment photo = enrollment_of(image, request);
  Gallery gallery(request.db);
  const EnrollResult r = enroll_photo(photo, gallery);
  impl_->forget_finders(request.db);  // their identifiers no longer hold every vector
  return r;
}

void Engine::remove_person(const std::string& db, const std::string& identity) {
  std::error_code ec;
  if (!is_postgres_location(db)) check(std::filesystem::exists(db, ec), db, "no such gallery");
  Gallery gallery(db);
  gallery.remove_person(identity);
  impl_->forget_finders(db);
}

}  // namespace facekit
