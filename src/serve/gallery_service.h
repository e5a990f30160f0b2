// One gallery as the service writes it: a read-write connection (a Gallery
// is one connection, so calls take turns; reopened after it was lost) and
// the Engine told after each write, so that searches see it. A PostgreSQL
// gallery is also followed for other processes' writes, and may be read
// from a streaming replica (gallery_sync.h).
#pragma once

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "facekit/engine.h"
#include "facekit/gallery.h"
#include "facekit/match.h"
#include "serve/gallery_sync.h"
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
  // in requests. A PostgreSQL gallery is followed (GallerySync, logging to
  // `log`) and searched on `replica` (a PostgreSQL URI of its streaming
  // replica) when not empty. Throws Error naming the location, or the
  // replica given with a SQLite gallery.
  GalleryService(std::string name, const std::string& location, Engine& engine, const std::string& replica = "",
                 std::ostream& log = std::clog);

  const std::string& name() const { return name_; }
  // As Gallery::location(): the password masked. find() is asked with search_location().
  const std::string& location() const;
  const std::string& location_as_given() const { return location_as_given_; }
  // The location a search reads (Engine::find's db): the replica's once it
  // holds every write this node knows of, else the gallery's as given.
  std::string search_location();

  // Stores the face `recognition.face` takes of `image` for `subject`
  // (created when new), as Engine::enroll_image does (the same pixels again
  // for the same subject: the face already stored). Returns the face and its image_id. HttpError
  // 409 when the same image is stored for someone else; no face:
  // NoFaceError (the Engine's).
  StoredFace add_face(const std::string& subject, const NamedImage& image, const RecognitionRequest& recognition);

  std::vector<std::string> subjects() const;
  // HttpError 409 for a taken name, 400 for an invalid one.
  void add_subject(const std::string& subject);
  // HttpError 404 for an unknown `from`, 409 for a taken `to`.
  void rename_subject(const std::string& from, const std::string& to);
  // Removes a subject with their faces. HttpError 404 for an unknown one.
  void remove_subject(const std::string& subject);
  // Removes every face of `subject` (keeping the subject); how many.
  int remove_faces_of(const std::string& subject);
  // The stored faces (of every model), by subject then id; of one subject
  // when not empty: at most `limit` from the `offset`-th on (only those
  // are read).
  std::vector<StoredFace> faces(const std::string& subject = "", int64_t offset = 0,
                                int64_t limit = std::numeric_limits<int64_t>::max()) const;
  // How many faces faces() lists in all.
  int64_t face_count(const std::string& subject = "") const;
  // Removes one face; what it was. HttpError 404 for an unknown id.
  StoredFace remove_face(int64_t image_id);
  // Its thumbnail (JPEG). HttpError 404 for an unknown id or none stored.
  std::vector<uint8_t> thumbnail(int64_t image_id) const;
  // For each of `identities`, the image_id of their stored face of `model`
  // nearest to `query` by `metric` (the face a search matched them by); an
  // identity without a face of that model is left out.
  std::map<std::string, int64_t> nearest_faces(const std::vector<std::string>& identities, const std::string& model,
                                               std::span<const float> query, Metric metric) const;
  int64_t vector_count(const std::string& model = "") const;
  int64_t subject_count() const;

 private:
  // The gallery's connection, reopened when it was lost. With mutex_ held.
  Gallery& gallery() const;
  // After a write: searches see it. With mutex_ held.
  void written();

  std::string name_;
  std::string location_as_given_;
  Engine& engine_;
  mutable std::mutex mutex_;
  mutable Gallery gallery_;
  std::unique_ptr<GallerySync> sync_;  // PostgreSQL only
};

}  // namespace facekit::serve
