// The gallery: the people a system knows, each with the embeddings of their
// photos and a small thumbnail of each face, persisted in one SQLite file or
// one PostgreSQL database (the same schema and behaviour on both).
//
// Every vector keeps its provenance (the photo's file and content hash, the
// face's box, the model that embedded it, the time). Vectors of different
// models live side by side and are never mixed: every query names a model.
//
// Durability: each enroll() batch is one transaction, so a crash (even
// SIGKILL) loses at most the batch in flight, and readers in other
// connections keep answering while a batch is written (SQLite in WAL mode;
// PostgreSQL's snapshots). Writers take turns, one batch at a time. The
// schema carries a version; an older gallery is migrated when opened, one
// written by a newer facekit is refused rather than misread.
//
// Identity names are stored and returned byte for byte (quotes, slashes,
// "..", unicode, SQL metacharacters): they only ever travel as bound
// parameters and the store never turns them into paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace facekit {

namespace store {
class Backend;
}

// One face found in a photo and its embedding.
struct FaceVector {
  cv::Rect2f box;             // in the photo's pixels
  std::vector<float> vector;  // as the model gave it
  // A JPEG of the face (face_thumbnail()); empty for none.
  std::vector<uint8_t> thumbnail;
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
  // The photo's stored vectors (StoredVector::id), one per face: the new
  // ones (kAdded, kReplaced) or those already there (kUnchanged); none for
  // kDuplicate.
  std::vector<int64_t> vector_ids;
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

// A stored face as a listing shows it: its vector's id, whose it is and the
// model that embedded it (not the vector itself).
struct StoredFaceEntry {
  int64_t id = 0;  // StoredVector::id
  std::string identity;
  std::string model;
};

// The longer side of a thumbnail, in pixels.
constexpr int kThumbnailSize = 112;
// The largest thumbnail a gallery stores.
constexpr size_t kMaxThumbnailBytes = 256 << 10;

// A JPEG (quality 90) of `rgb_crop` (8-bit RGB, e.g. the aligned face) scaled
// down so that its longer side is at most `max_side` (never up). Throws Error
// for an empty or non-RGB crop, or max_side < 1.
std::vector<uint8_t> face_thumbnail(const cv::Mat& rgb_crop, int max_side = kThumbnailSize);

// True when `location` names a PostgreSQL database (a libpq URI:
// postgresql://... or postgres://...) rather than a SQLite file.
bool is_postgres_location(const std::string& location);
// `location` with a PostgreSQL URI's password (user:PASSWORD@ or
// password=...) masked, for messages; a SQLite path unchanged.
std::string masked_location(const std::string& location);

// The SHA-256 of a file's bytes, lowercase hex. Throws Error naming the file
// when it cannot be read.
std::string content_hash(const std::filesystem::path& file);

// How a Gallery is opened.
enum class GalleryAccess {
  kReadWrite,  // the schema created when absent, migrated when older
  kReadOnly,   // never written, nor locked for writing: works for a user who
               // may read the gallery but not write it or its folder, and on
               // a read-only medium
};

// What check_gallery() found.
struct GalleryCheck {
  int schema_version = 0;
  int64_t rows_verified = 0;          // rows whose checksum was recomputed and matched
  std::vector<std::string> findings;  // one line per problem, naming the table and row; empty: sound
  bool ok() const { return findings.empty(); }
};

// One connection to a gallery. Not for concurrent use from several threads;
// open one Gallery per thread or process instead (they coordinate through
// the database's locks).
//
// Integrity: every row carries a checksum of its values, its id and its
// parent's id (person → photo → vector → thumbnail), recomputed whenever a
// vector, a person or a thumbnail is read; a mismatch throws Error naming the
// row rather than answering from damaged data. The first write through a
// Gallery runs SQLite's quick_check and refuses a damaged file.
class Gallery {
 public:
  // 1: people, photos, vectors. 2: thumbnails. 3: row checksums.
  static constexpr int kSchemaVersion = 3;

  // Opens the gallery at `location`. The location is a SQLite file path
  // (":memory:" for one in memory) or a PostgreSQL URI
  // (postgresql://user@host:port/database?..., libpq's syntax; the database
  // must exist, the tables go into its current schema). kReadWrite creates
  // the schema when absent (and the SQLite file) and migrates an older one
  // (refusing, as writes do, a file that fails quick_check); kReadOnly needs
  // an existing gallery of this schema version. Throws Error naming the
  // location (its password masked) when it cannot be opened or reached,
  // holds other tables but no gallery, has a schema version this build does
  // not know, or (kReadOnly) is missing or of an older version (open it once
  // kReadWrite to migrate it).
  explicit Gallery(const std::string& location, GalleryAccess access = GalleryAccess::kReadWrite);
  ~Gallery();
  Gallery(Gallery&&) noexcept;
  Gallery& operator=(Gallery&&) noexcept;

  // Stores a batch of photos in one transaction (all or nothing), creating
  // people as needed; one report per photo, in order. Throws Error (storing
  // nothing) for an empty or NUL-holding identity, an empty model or hash, a
  // face with an empty vector or one holding NaN or infinity, a thumbnail
  // that is not a JPEG or is over kMaxThumbnailBytes, or vectors whose
  // dimension differs from the model's stored ones. Every write (this and
  // the people functions below) throws Error, writing nothing, on a gallery
  // opened kReadOnly or one that fails quick_check.
  std::vector<EnrollReport> enroll(const std::vector<PhotoEnrollment>& batch);

  // True when a photo with this content is stored for `model` (enrolled
  // with or without faces).
  bool contains_photo(const std::string& model, const std::string& content_hash) const;

  // Adds a person without photos. Throws Error when the name is taken or invalid.
  void add_person(const std::string& name);
  // Renames a person, keeping their vectors. Throws Error when `from` is
  // unknown or `to` is taken or invalid.
  void rename_person(const std::string& from, const std::string& to);
  // Removes a person with all their photos, vectors and thumbnails, of every
  // model. Throws Error when the name is unknown.
  void remove_person(const std::string& name);
  bool has_person(const std::string& name) const;
  // Removes the photo that stored vector `vector_id` (StoredVector::id) came
  // from, with its vectors and thumbnails; its person stays. Throws Error
  // when no vector has this id.
  void remove_photo_of(int64_t vector_id);

  // Everyone, in byte order of their names. Throws Error naming the row
  // when a person's checksum does not match.
  std::vector<std::string> people() const;
  // The models that have vectors here, sorted.
  std::vector<std::string> models() const;
  // Every vector of `model`, grouped by identity (people in byte order).
  // Throws Error naming the row when the checksum of a vector, its photo or
  // its person does not match, or a vector's size is not its dimension.
  std::vector<StoredVector> vectors(const std::string& model) const;
  // The stored vectors of `model` among `ids` (StoredVector::id), in the
  // order of `ids`; an id no longer stored, or of another model, is left
  // out. Throws Error as vectors() does.
  std::vector<StoredVector> vectors_with_ids(const std::string& model, std::span<const int64_t> ids) const;
  // The stored faces of every model, by identity (byte order) then id, of
  // `identity` alone when it is not empty: at most `limit` of them, from the
  // `offset`-th on (both ≥ 0, else Error); only those rows are read back and
  // checked (the database skips the first `offset` in its index). Throws
  // Error naming the row when a listed row's checksum or link does not match.
  std::vector<StoredFaceEntry> faces(const std::string& identity, int64_t offset, int64_t limit) const;
  // How many faces faces() lists in all (of every model; of `identity` alone
  // when it is not empty).
  int64_t face_count(const std::string& identity = "") const;
  // The face of vector `vector_id`; nullopt when no vector has this id.
  // Throws Error as faces() does.
  std::optional<StoredFaceEntry> face(int64_t vector_id) const;
  // Counts over one model, or all models when `model` is empty.
  int64_t vector_count(const std::string& model = "") const;
  int64_t photo_count(const std::string& model = "") const;

  // The JPEG thumbnail of stored vector `vector_id` (StoredVector::id);
  // empty when it was enrolled without one. Throws Error when no vector has
  // this id (e.g. its person was removed), or naming the row when the
  // thumbnail's checksum does not match.
  std::vector<uint8_t> thumbnail(int64_t vector_id) const;

  // "ok" for a sound gallery, else the findings: SQLite's own check of the
  // file; on both backends, rows whose parent row is missing. (Checksums:
  // check_gallery.)
  std::string integrity_check() const;
  int schema_version() const;
  // The location as opened, its password masked.
  const std::string& location() const;
  // False once a PostgreSQL gallery's connection is known to be lost (the
  // server closed it, or a call failed on it); every later call
  // fails too, so open a new Gallery. A SQLite gallery is always connected.
  bool connected() const;

 private:
  // Throws unless this connection may write: not read-only, and (once per
  // Gallery) the database passes quick_check.
  void check_writable();

  std::unique_ptr<store::Backend> db_;
  bool writable_checked_ = false;
};

// Checks the gallery at `location` without writing to it (opened
// kReadOnly): the database's own check (SQLite's integrity_check: every
// page, index and constraint; on both backends, rows whose parent is
// missing), then, from schema version 3, every row's checksum and every
// vector's size against its dimension. Throws Error only when the location
// cannot be opened or holds no facekit gallery; damage is reported in the
// findings.
GalleryCheck check_gallery(const std::string& location);

}  // namespace facekit
