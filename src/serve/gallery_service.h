// One gallery as the service writes it: a read-write connection (a Gallery
// is one connection, so calls take turns) and the Engine told after each
// write, so that searches see it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "facekit/engine.h"
#include "facekit/gallery.h"
#include "serve/request_fields.h"

namespace facekit::serve {

// A stored face as the service lists it.
struct StoredFace {
  int64_t image_id = 0;  // the stored vector's id
  std::string subject;
  std::string model;
};

class GalleryService {
 public:
  // Opens (creating when absent) the gallery at `location`, named `name`
  // in requests. Throws Error naming the location.
  GalleryService(std::string name, const std::string& location, Engine& engine);

  const std::string& name() const { return name_; }
  // As Gallery::location(): the password masked. find() is asked with location_as_given().
  const std::string& location() const;
  const std::string& location_as_given() const { return location_as_given_; }

  // Stores the face `recognition.face` takes of `image` (bytes as uploaded) for `subject`,
  // creating the subject when `create_subject`, else HttpError 404 for an
  // unknown one. Returns the face and its image_id. HttpError 409 when the
  // same image is stored for someone else; no face: Error (the Engine's).
  StoredFace add_face(const std::string& subject, const ImageUpload& upload, const NamedImage& image,
                      const RecognitionRequest& recognition, bool create_subject);

  std::vector<std::string> subjects() const;
  // HttpError 409 for a taken name, 400 for an invalid one.
  void add_subject(const std::string& subject);
  // HttpError 404 for an unknown `from`, 409 for a taken `to`.
  void rename_subject(const std::string& from, const std::string& to);
  // Removes a subject with their faces. HttpError 404 for an unknown one.
  void remove_subject(const std::string& subject);
  // Removes every face of `subject` (keeping the subject); how many.
  int remove_faces_of(const std::string& subject);
  // Every stored face (of every model), by subject then id; of one subject when not empty.
  std::vector<StoredFace> faces(const std::string& subject = "") const;
  // Removes one face; what it was. HttpError 404 for an unknown id.
  StoredFace remove_face(int64_t image_id);
  // Its thumbnail (JPEG). HttpError 404 for an unknown id or none stored.
  std::vector<uint8_t> thumbnail(int64_t image_id) const;
  int64_t vector_count(const std::string& model = "") const;
  int64_t subject_count() const;

 private:
  std::string name_;
  std::string location_as_given_;
  Engine& engine_;
  mutable std::mutex mutex_;
  Gallery gallery_;
};

}  // namespace facekit::serve
