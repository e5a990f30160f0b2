// The gallery: the people a system knows, each with the embeddings of their
// photos, persisted in one SQLite file.
//
// Every vector keeps its provenance (the photo's file and content hash, the
// face's box, the model that embedded it, the time). Vectors of different
// models live side by side and are never mixed: every query names a model.
//
// Durability: the database runs in WAL mode; each enroll() batch is one
// transaction, so a crash (even SIGKILL) loses at most the batch in flight,
// and readers in other connections keep answering while a batch is written.
// The schema carries a version (PRAGMA user_version); a file written by a
// newer facekit is refused rather than misread.
//
// Identity names are stored and returned byte for byte (quotes, slashes,
// "..", unicode, SQL metacharacters): they only ever travel as bound
// parameters and the store never turns them into paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace facekit {

namespace sqlite {
class Database;
}

// One face found in a photo and its embedding.
struct FaceVector {
  cv::Rect2f box;             // in the photo's pixels
  std::vector<float> vector;  // as the model gave it
};

// One photo of one person as embedded by one model.
struct PhotoEnrollment {
  std::string identity;
  std::string file;          // as the caller names it (provenance only; never opened)
  std::string content_hash;  // of the file's bytes (content_hash())
  std::string model;
  // Usually the photo's one (largest) face. Empty for a photo without a
  // usable face: it is remembered all the same, so incremental enrollment
  // does not read it again.
  std::vector<FaceVector> faces;
};

enum class EnrollOutcome {
  kAdded,      // a photo not seen before
  kReplaced,   // the same file (model, identity, file name) with new content: old vectors dropped
  kUnchanged,  // this very photo is already enrolled for this identity and model
  kDuplicate,  // the same content is already enrolled under another file or identity: skipped
};

struct EnrollReport {
  EnrollOutcome outcome = EnrollOutcome::kAdded;
  // For kDuplicate: where the content already is.
  std::string existing_identity;
  std::string existing_file;
};

// A stored vector and where it came from.
struct StoredVector {
  int64_t id = 0;
  std::string identity;
  std::vector<float> vector;
  std::string file;
  std::string content_hash;
  std::string model;
  cv::Rect2f box;
  int64_t enrolled_at = 0;  // Unix time, seconds
};

// The SHA-256 of a file's bytes, lowercase hex. Throws Error naming the file
// when it cannot be read.
std::string content_hash(const std::filesystem::path& file);

// One connection to a gallery file. Not for concurrent use from several
// threads; open one Gallery per thread or process instead (they coordinate
// through SQLite's locks).
class Gallery {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens the gallery at `path`, creating it (and its schema) when absent.
  // Throws Error naming the file when it cannot be opened, is not a SQLite
  // database, or has a schema version this build does not know.
  explicit Gallery(const std::filesystem::path& path);
  ~Gallery();
  Gallery(Gallery&&) noexcept;
  Gallery& operator=(Gallery&&) noexcept;

  // Stores a batch of photos in one transaction (all or nothing), creating
  // people as needed; one report per photo, in order. Throws Error (storing
  // nothing) for an empty or NUL-holding identity, an empty model or hash, a
  // face with an empty vector or one holding NaN or infinity, or vectors
  // whose dimension differs from the model's stored ones.
  std::vector<EnrollReport> enroll(const std::vector<PhotoEnrollment>& batch);

  // True when a photo with this content is stored for `model` (enrolled
  // with or without faces).
  bool contains_photo(const std::string& model, const std::string& content_hash) const;

  // Adds a person without photos. Throws Error when the name is taken or invalid.
  void add_person(const std::string& name);
  // Renames a person, keeping their vectors. Throws Error when `from` is
  // unknown or `to` is taken or invalid.
  void rename_person(const std::string& from, const std::string& to);
  // Removes a person with all their photos and vectors, of every model.
  // Throws Error when the name is unknown.
  void remove_person(const std::string& name);
  bool has_person(const std::string& name) const;

  // Everyone, in byte order of their names.
  std::vector<std::string> people() const;
  // The models that have vectors here, sorted.
  std::vector<std::string> models() const;
  // Every vector of `model`, grouped by identity (people in byte order).
  std::vector<StoredVector> vectors(const std::string& model) const;
  // Counts over one model, or all models when `model` is empty.
  int64_t vector_count(const std::string& model = "") const;
  int64_t photo_count(const std::string& model = "") const;

  // SQLite's own consistency check: "ok" for a sound file, else its findings.
  std::string integrity_check() const;
  int schema_version() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace facekit
