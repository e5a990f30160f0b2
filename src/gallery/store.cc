// The gallery's logic, written once over either backend (gallery_backend.h):
// schema and migrations, enrollment batches, people, thumbnails.
#include <cmath>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <optional>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/zoo.h"
#include "gallery/gallery_backend.h"
#include "gallery/row_checksum.h"

namespace facekit {
namespace {

using store::Backend;

// The schema, one step per version, in the backend's column types ({serial}
// {integer} {real} {text} {blob}). Photos belong to a person and a model;
// vectors to a photo; a thumbnail to a vector. Deleting a person cascades to
// all of them.
const char* const kMigrations[] = {
    // → 1
    R"sql(
CREATE TABLE people (
  id   {serial},
  name {text} NOT NULL UNIQUE
);
CREATE TABLE photos (
  id           {serial},
  person_id    {integer} NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  model        {text} NOT NULL,
  file         {text} NOT NULL,
  content_hash {text} NOT NULL,
  enrolled_at  {integer} NOT NULL,
  UNIQUE (model, content_hash)
);
CREATE INDEX photos_by_file ON photos(model, person_id, file);
CREATE INDEX photos_by_person ON photos(person_id);
CREATE TABLE vectors (
  id        {serial},
  photo_id  {integer} NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  x {real} NOT NULL, y {real} NOT NULL, width {real} NOT NULL, height {real} NOT NULL,
  dimension {integer} NOT NULL,
  data      {blob} NOT NULL
);
CREATE INDEX vectors_by_photo ON vectors(photo_id);
)sql",
    // → 2
    R"sql(
CREATE TABLE thumbnails (
  vector_id {integer} PRIMARY KEY REFERENCES vectors(id) ON DELETE CASCADE,
  jpeg      {blob} NOT NULL
);
)sql",
    // → 3: each row's checksum (row_checksum.h), filled in for the rows
    // already there by seal_existing_rows().
    R"sql(
ALTER TABLE people ADD COLUMN checksum {integer} NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN checksum {integer} NOT NULL DEFAULT 0;
ALTER TABLE vectors ADD COLUMN checksum {integer} NOT NULL DEFAULT 0;
ALTER TABLE thumbnails ADD COLUMN checksum {integer} NOT NULL DEFAULT 0;
)sql",
};
static_assert(std::size(kMigrations) == Gallery::kSchemaVersion);
constexpr int kFirstVersionWithChecksums = 3;

// `sql` with the dialect's column types in place of {serial}, {integer}, ...
std::string in_dialect(std::string sql, const store::Dialect& d) {
  const std::pair<const char*, const std::string*> types[] = {
      {"{serial}", &d.serial}, {"{integer}", &d.integer}, {"{real}", &d.real}, {"{text}", &d.text}, {"{blob}", &d.blob}};
  for (const auto& [token, type] : types)
    for (size_t at = sql.find(token); at != std::string::npos; at = sql.find(token, at + type->size()))
      sql.replace(at, std::strlen(token), *type);
  return sql;
}

void seal_existing_rows(Backend& db);

// A version this facekit can read or migrate: 0 (a new file) up to its own.
// A negative one (a damaged header, another program's user_version) is refused.
void check_known_version(Backend& db, int version) {
  check(version >= 0, db.name(),
        "gallery schema version " + std::to_string(version) + " is not one facekit writes (a damaged file?)");
  check(version <= Gallery::kSchemaVersion, db.name(),
        "gallery schema version " + std::to_string(version) + " is newer than this facekit's (" +
            std::to_string(Gallery::kSchemaVersion) + ")");
}

// The "ok" of a check, else its first line (the rest may run to thousands).
std::string first_finding(const std::string& findings) { return findings.substr(0, findings.find('\n')); }

// quick_check's findings; a database too damaged to be checked says so by
// an error, which is a finding too.
std::string quick_check(Backend& db) {
  try {
    return db.quick_check();
  } catch (const Error& e) {
    return e.what();
  }
}

// Creates or migrates the schema to kSchemaVersion, in one transaction.
// Migrating writes into existing data: not into a damaged file.
void prepare_schema(Backend& db) {
  int version = db.schema_version();
  check_known_version(db, version);
  if (version == Gallery::kSchemaVersion) return;
  if (version > 0) {
    const std::string findings = quick_check(db);
    check(findings == "ok", db.name(),
          "refusing to migrate a damaged database (quick_check: " + first_finding(findings) + ")");
  }
  store::WriteTransaction tx(db);
  version = db.schema_version();  // another process may have done it meanwhile
  check_known_version(db, version);
  if (version == 0) check(!db.has_other_tables(), db.name(), "a database that holds tables but no facekit gallery");
  const int from = version;
  for (; version < Gallery::kSchemaVersion; ++version) db.exec(in_dialect(kMigrations[version], db.dialect()));
  if (from > 0 && from < kFirstVersionWithChecksums) seal_existing_rows(db);
  db.set_schema_version(Gallery::kSchemaVersion);
  tx.commit();
}

// Read-only: the schema must be this build's (an older one would need
// writing to migrate).
void require_current_schema(Backend& db) {
  const int version = db.schema_version();
  check_known_version(db, version);
  check(version > 0, db.name(), "not a facekit gallery (no gallery schema)");
  check(version == Gallery::kSchemaVersion, db.name(),
        "gallery schema version " + std::to_string(version) + " predates row checksums (version " +
            std::to_string(kFirstVersionWithChecksums) +
            "): open it once with write access to migrate it (`facekit gallery upgrade " + db.name() + "`)");
}

void check_name(const std::string& name, const std::string& context) {
  check(!name.empty(), context, "an identity name must not be empty");
  check(name.find('\0') == std::string::npos, context, "an identity name must not hold a NUL byte");
}

std::span<const uint8_t> as_bytes(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

std::vector<float> as_floats(const std::vector<uint8_t>& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

// The id of `name`, or 0 when unknown.
int64_t person_id(Backend& db, const std::string& name) {
  auto q = db.prepare("SELECT id FROM people WHERE name = $1");
  q->bind(1, name);
  return q->step() ? q->integer(0) : 0;
}

// The id of the row an INSERT ... RETURNING id added.
int64_t inserted_id(store::Statement& insert) {
  insert.step();
  const int64_t id = insert.integer(0);
  insert.reset();
  return id;
}

// Stores `checksum` in the row of `table` whose `key` column is `id`.
void seal(Backend& db, const std::string& table, const std::string& key, int64_t id, int64_t checksum) {
  db.prepare("UPDATE " + table + " SET checksum = $1 WHERE " + key + " = $2")->bind(1, checksum).bind(2, id).run();
}

int64_t insert_person(Backend& db, const std::string& name) {
  auto insert = db.prepare("INSERT INTO people(name) VALUES ($1) RETURNING id");
  const int64_t id = inserted_id(insert->bind(1, name));
  seal(db, "people", "id", id, store::person_checksum(id, name));
  return id;
}

int64_t ensure_person(Backend& db, const std::string& name) {
  if (const int64_t id = person_id(db, name)) return id;
  return insert_person(db, name);
}

// Computes and stores the checksum of every row (migration to version 3).
// The rows are read first, then updated, so that no table is written while
// it is being read.
void seal_existing_rows(Backend& db) {
  std::vector<std::pair<int64_t, int64_t>> sums;  // id, checksum
  auto seal_all = [&](const std::string& table, const std::string& key) {
    for (const auto& [id, sum] : sums) seal(db, table, key, id, sum);
    sums.clear();
  };
  for (auto q = db.prepare("SELECT id, name FROM people"); q->step();)
    sums.emplace_back(q->integer(0), store::person_checksum(q->integer(0), q->text(1)));
  seal_all("people", "id");
  for (auto q = db.prepare("SELECT id, person_id, model, file, content_hash, enrolled_at FROM photos"); q->step();)
    sums.emplace_back(q->integer(0), store::photo_checksum(q->integer(0), q->integer(1), q->text(2), q->text(3),
                                                           q->text(4), q->integer(5)));
  seal_all("photos", "id");
  for (auto q = db.prepare("SELECT id, photo_id, x, y, width, height, dimension, data FROM vectors"); q->step();)
    sums.emplace_back(q->integer(0), store::vector_checksum(q->integer(0), q->integer(1), q->real(2), q->real(3),
                                                            q->real(4), q->real(5), q->integer(6), q->blob(7)));
  seal_all("vectors", "id");
  for (auto q = db.prepare("SELECT vector_id, jpeg FROM thumbnails"); q->step();)
    sums.emplace_back(q->integer(0), store::thumbnail_checksum(q->integer(0), q->blob(1)));
  seal_all("thumbnails", "vector_id");
}

// Throws Error naming the row unless its stored checksum is the one computed.
void verify_row(const Backend& db, int64_t stored, int64_t computed, const std::string& row) {
  check(stored == computed, db.name(),
        row + ": checksum mismatch: the gallery is damaged (`facekit gallery check " + db.name() +
            "` lists the damage)");
}

// Throws Error unless the row a join found (`found`) is the one `what` refers to.
void verify_link(const Backend& db, const std::string& what, int64_t referred, int64_t found) {
  check(referred == found, db.name(),
        what + " is " + std::to_string(referred) + " but the gallery's index gave " + std::to_string(found) +
            ": the gallery is damaged (`facekit gallery check " + db.name() + "` lists the damage)");
}

// The dimension of `model`'s stored vectors, 0 when it has none.
int64_t stored_dimension(Backend& db, const std::string& model) {
  auto q = db.prepare(
      "SELECT v.dimension FROM vectors v JOIN photos p ON v.photo_id = p.id WHERE p.model = $1 LIMIT 1");
  q->bind(1, model);
  return q->step() ? q->integer(0) : 0;
}

bool is_jpeg(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

void validate(Backend& db, const std::vector<PhotoEnrollment>& batch) {
  for (const auto& photo : batch) {
    const std::string context = db.name() + ": enrolling " + photo.file;
    check_name(photo.identity, context);
    check(!photo.model.empty(), context, "no model named");
    check(!photo.content_hash.empty(), context, "no content hash");
    for (const auto& face : photo.faces) {
      check(!face.vector.empty(), context, "a face has an empty vector");
      for (float x : face.vector) check(std::isfinite(x), context, "a face's vector holds NaN or infinity");
      if (face.thumbnail.empty()) continue;
      check(is_jpeg(face.thumbnail), context, "a face's thumbnail is not a JPEG");
      check(face.thumbnail.size() <= kMaxThumbnailBytes, context,
            "a face's thumbnail is over " + std::to_string(kMaxThumbnailBytes) + " bytes");
    }
  }
}

EnrollReport enroll_one(Backend& db, const PhotoEnrollment& photo, int64_t now,
                        std::map<std::string, int64_t>& dimensions) {
  EnrollReport report;
  auto same = db.prepare(
      "SELECT people.name, photos.file FROM photos JOIN people ON photos.person_id = people.id "
      "WHERE photos.model = $1 AND photos.content_hash = $2");
  same->bind(1, photo.model).bind(2, photo.content_hash);
  if (same->step()) {
    if (same->text(0) != photo.identity || same->text(1) != photo.file) {
      report.outcome = EnrollOutcome::kDuplicate;
      report.existing_identity = same->text(0);
      report.existing_file = same->text(1);
      return report;
    }
    report.outcome = EnrollOutcome::kUnchanged;
    auto stored = db.prepare(
        "SELECT v.id FROM vectors v JOIN photos p ON v.photo_id = p.id "
        "WHERE p.model = $1 AND p.content_hash = $2 ORDER BY v.id");
    stored->bind(1, photo.model).bind(2, photo.content_hash);
    while (stored->step()) report.vector_ids.push_back(stored->integer(0));
    return report;
  }

  const int64_t person = ensure_person(db, photo.identity);
  auto old = db.prepare("DELETE FROM photos WHERE model = $1 AND person_id = $2 AND file = $3 RETURNING id");
  if (old->bind(1, photo.model).bind(2, person).bind(3, photo.file).run() > 0)
    report.outcome = EnrollOutcome::kReplaced;

  auto insert_photo = db.prepare(
      "INSERT INTO photos(person_id, model, file, content_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5) "
      "RETURNING id");
  const int64_t photo_id = inserted_id(
      insert_photo->bind(1, person).bind(2, photo.model).bind(3, photo.file).bind(4, photo.content_hash).bind(5, now));
  seal(db, "photos", "id", photo_id,
       store::photo_checksum(photo_id, person, photo.model, photo.file, photo.content_hash, now));

  auto insert_vector = db.prepare(
      "INSERT INTO vectors(photo_id, x, y, width, height, dimension, data) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "RETURNING id");
  auto insert_thumbnail = db.prepare("INSERT INTO thumbnails(vector_id, jpeg, checksum) VALUES ($1, $2, $3)");
  for (const auto& face : photo.faces) {
    auto [known, fresh] = dimensions.try_emplace(photo.model, 0);
    if (fresh) known->second = stored_dimension(db, photo.model);
    const auto dim = static_cast<int64_t>(face.vector.size());
    if (known->second == 0) known->second = dim;
    check(known->second == dim, db.name() + ": enrolling " + photo.file,
          "model " + photo.model + " has " + std::to_string(known->second) + "-D vectors here, this one is " +
              std::to_string(dim) + "-D");
    const double x = face.box.x, y = face.box.y, width = face.box.width, height = face.box.height;
    const int64_t vector_id = inserted_id(insert_vector->bind(1, photo_id)
                                              .bind(2, x)
                                              .bind(3, y)
                                              .bind(4, width)
                                              .bind(5, height)
                                              .bind(6, dim)
                                              .bind_blob(7, as_bytes(face.vector)));
    seal(db, "vectors", "id", vector_id,
         store::vector_checksum(vector_id, photo_id, x, y, width, height, dim, as_bytes(face.vector)));
    report.vector_ids.push_back(vector_id);
    if (face.thumbnail.empty()) continue;
    insert_thumbnail->bind(1, vector_id)
        .bind_blob(2, face.thumbnail)
        .bind(3, store::thumbnail_checksum(vector_id, face.thumbnail))
        .run();
    insert_thumbnail->reset();
  }
  return report;
}

int64_t count(Backend& db, const std::string& all_sql, const std::string& model_sql, const std::string& model) {
  auto q = db.prepare(model.empty() ? all_sql : model_sql);
  if (!model.empty()) q->bind(1, model);
  q->step();
  return q->integer(0);
}

}  // namespace

std::string content_hash(const std::filesystem::path& file) { return zoo::sha256_file(file); }

bool is_postgres_location(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

namespace {

std::unique_ptr<Backend> open_backend(const std::string& location, bool read_only) {
  return is_postgres_location(location) ? store::open_postgres(location, read_only)
                                        : store::open_sqlite(location, read_only);
}

}  // namespace

Gallery::Gallery(const std::string& location, GalleryAccess access)
    : db_(open_backend(location, access == GalleryAccess::kReadOnly)) {
  if (access == GalleryAccess::kReadOnly)
    require_current_schema(*db_);
  else
    prepare_schema(*db_);
}

void Gallery::check_writable() {
  check(!db_->read_only(), location(), "opened read-only: cannot write");
  if (writable_checked_) return;
  const std::string findings = quick_check(*db_);
  check(findings == "ok", location(),
        "refusing to write into a damaged database (quick_check: " + first_finding(findings) +
            "); `facekit gallery check " + location() + "` lists the damage");
  writable_checked_ = true;
}

Gallery::~Gallery() = default;
Gallery::Gallery(Gallery&&) noexcept = default;
Gallery& Gallery::operator=(Gallery&&) noexcept = default;

const std::string& Gallery::location() const { return db_->name(); }
int Gallery::schema_version() const { return db_->schema_version(); }
bool Gallery::connected() const { return db_->connected(); }
std::string Gallery::integrity_check() const { return db_->integrity_check(); }

std::vector<EnrollReport> Gallery::enroll(const std::vector<PhotoEnrollment>& batch) {
  validate(*db_, batch);
  check_writable();
  const int64_t now = std::time(nullptr);
  std::map<std::string, int64_t> dimensions;
  std::vector<EnrollReport> reports;
  reports.reserve(batch.size());
  store::WriteTransaction tx(*db_);
  for (const auto& photo : batch) reports.push_back(enroll_one(*db_, photo, now, dimensions));
  tx.commit();
  return reports;
}

bool Gallery::contains_photo(const std::string& model, const std::string& hash) const {
  auto q = db_->prepare("SELECT 1 FROM photos WHERE model = $1 AND content_hash = $2");
  q->bind(1, model).bind(2, hash);
  return q->step();
}

void Gallery::add_person(const std::string& name) {
  check_name(name, location());
  check_writable();
  store::WriteTransaction tx(*db_);
  check(!has_person(name), location(), "person already exists: " + name);
  insert_person(*db_, name);
  tx.commit();
}

void Gallery::rename_person(const std::string& from, const std::string& to) {
  check_name(to, location());
  check_writable();
  store::WriteTransaction tx(*db_);
  const int64_t id = person_id(*db_, from);
  check(id != 0, location(), "no such person: " + from);
  check(!has_person(to), location(), "person already exists: " + to);
  db_->prepare("UPDATE people SET name = $2, checksum = $3 WHERE id = $1")
      ->bind(1, id)
      .bind(2, to)
      .bind(3, store::person_checksum(id, to))
      .run();
  tx.commit();
}

void Gallery::remove_person(const std::string& name) {
  check_writable();
  store::WriteTransaction tx(*db_);
  auto remove = db_->prepare("DELETE FROM people WHERE name = $1 RETURNING id");
  check(remove->bind(1, name).run() > 0, location(), "no such person: " + name);
  tx.commit();
}

void Gallery::remove_photo_of(int64_t vector_id) {
  check_writable();
  store::WriteTransaction tx(*db_);
  auto remove = db_->prepare("DELETE FROM photos WHERE id = (SELECT photo_id FROM vectors WHERE id = $1) RETURNING id");
  check(remove->bind(1, vector_id).run() > 0, location(), "no such vector: " + std::to_string(vector_id));
  tx.commit();
}

bool Gallery::has_person(const std::string& name) const { return person_id(*db_, name) != 0; }

std::vector<std::string> Gallery::people() const {
  std::vector<std::string> names;
  auto q = db_->prepare("SELECT id, name, checksum FROM people ORDER BY name");
  while (q->step()) {
    verify_row(*db_, q->integer(2), store::person_checksum(q->integer(0), q->text(1)),
               "person " + std::to_string(q->integer(0)));
    names.push_back(q->text(1));
  }
  return names;
}

std::vector<std::string> Gallery::models() const {
  std::vector<std::string> names;
  auto q = db_->prepare(
      "SELECT DISTINCT p.model FROM photos p JOIN vectors v ON v.photo_id = p.id ORDER BY p.model");
  while (q->step()) names.push_back(q->text(0));
  return names;
}

namespace {

// The columns read_vector() reads, and the joins they come from.
constexpr const char* kVectorRows =
    "SELECT v.id, people.name, v.data, p.file, p.content_hash, v.x, v.y, v.width, v.height, p.enrolled_at, "
    "v.photo_id, v.dimension, v.checksum, p.id, p.person_id, p.model, p.checksum, people.id, people.checksum "
    "FROM vectors v JOIN photos p ON v.photo_id = p.id JOIN people ON p.person_id = people.id ";

// The stored vector at `q`'s current row (of kVectorRows), its checksums, its
// photo's and its person's, and the links between them verified.
StoredVector read_vector(const Backend& db, store::Statement& q) {
  StoredVector s;
  s.id = q.integer(0);
  s.identity = q.text(1);
  const std::vector<uint8_t> data = q.blob(2);
  s.file = q.text(3);
  s.content_hash = q.text(4);
  s.model = q.text(15);
  const double x = q.real(5), y = q.real(6), width = q.real(7), height = q.real(8);
  s.box = cv::Rect2f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(width),
                     static_cast<float>(height));
  s.enrolled_at = q.integer(9);
  const int64_t dimension = q.integer(11);
  const std::string row = "vector " + std::to_string(s.id);
  // Each row's checksum covers the row alone; a damaged index can still join
  // sound rows that do not belong together, so the links are checked too.
  verify_link(db, row + "'s photo", q.integer(10), q.integer(13));
  verify_link(db, row + "'s person", q.integer(14), q.integer(17));
  verify_row(db, q.integer(16),
             store::photo_checksum(q.integer(13), q.integer(14), s.model, s.file, s.content_hash, s.enrolled_at),
             row + "'s photo " + std::to_string(q.integer(13)));
  verify_row(db, q.integer(18), store::person_checksum(q.integer(17), s.identity),
             row + "'s person " + std::to_string(q.integer(17)));
  verify_row(db, q.integer(12), store::vector_checksum(s.id, q.integer(10), x, y, width, height, dimension, data),
             row);
  check(dimension > 0 && data.size() == static_cast<size_t>(dimension) * sizeof(float), db.name(),
        row + ": " + std::to_string(data.size()) + " bytes for a " + std::to_string(dimension) + "-D vector");
  s.vector = as_floats(data);
  return s;
}

StoredFaceEntry entry_of(const StoredVector& v) {
  StoredFaceEntry e;
  e.id = v.id;
  e.identity = v.identity;
  e.model = v.model;
  return e;
}

}  // namespace

std::vector<StoredVector> Gallery::vectors(const std::string& model) const {
  std::vector<StoredVector> out;
  auto q = db_->prepare(std::string(kVectorRows) + "WHERE p.model = $1 ORDER BY people.name, v.id");
  q->bind(1, model);
  while (q->step()) out.push_back(read_vector(*db_, *q));
  return out;
}

std::vector<StoredVector> Gallery::vectors_with_ids(const std::string& model, std::span<const int64_t> ids) const {
  std::vector<StoredVector> out;
  auto q = db_->prepare(std::string(kVectorRows) + "WHERE v.id = $1 AND p.model = $2");
  for (const int64_t id : ids) {
    q->bind(1, id).bind(2, model);
    if (q->step()) out.push_back(read_vector(*db_, *q));
    q->reset();
  }
  return out;
}

std::vector<StoredFaceEntry> Gallery::faces(const std::string& identity, int64_t offset, int64_t limit) const {
  check(offset >= 0 && limit >= 0, location(),
        "listing faces: offset and limit must not be negative (" + std::to_string(offset) + ", " +
            std::to_string(limit) + ")");
  std::vector<StoredFaceEntry> out;
  const std::string order = "ORDER BY people.name, v.id LIMIT $1 OFFSET $2";
  auto q = db_->prepare(std::string(kVectorRows) + (identity.empty() ? order : "WHERE people.name = $3 " + order));
  q->bind(1, limit).bind(2, offset);
  if (!identity.empty()) q->bind(3, identity);
  while (q->step()) out.push_back(entry_of(read_vector(*db_, *q)));
  return out;
}

int64_t Gallery::face_count(const std::string& identity) const {
  if (identity.empty()) return vector_count();
  auto q = db_->prepare(
      "SELECT count(*) FROM vectors v JOIN photos p ON v.photo_id = p.id JOIN people ON p.person_id = people.id "
      "WHERE people.name = $1");
  q->bind(1, identity);
  q->step();
  return q->integer(0);
}

std::optional<StoredFaceEntry> Gallery::face(int64_t vector_id) const {
  auto q = db_->prepare(std::string(kVectorRows) + "WHERE v.id = $1");
  q->bind(1, vector_id);
  if (!q->step()) return std::nullopt;
  return entry_of(read_vector(*db_, *q));
}

int64_t Gallery::vector_count(const std::string& model) const {
  return count(*db_, "SELECT count(*) FROM vectors",
               "SELECT count(*) FROM vectors v JOIN photos p ON v.photo_id = p.id WHERE p.model = $1", model);
}

int64_t Gallery::photo_count(const std::string& model) const {
  return count(*db_, "SELECT count(*) FROM photos", "SELECT count(*) FROM photos WHERE model = $1", model);
}

std::vector<uint8_t> Gallery::thumbnail(int64_t vector_id) const {
  auto q = db_->prepare(
      "SELECT t.jpeg, t.checksum, t.vector_id IS NOT NULL FROM vectors v LEFT JOIN thumbnails t ON t.vector_id = v.id "
      "WHERE v.id = $1");
  q->bind(1, vector_id);
  check(q->step(), location(), "no vector with id " + std::to_string(vector_id));
  std::vector<uint8_t> jpeg = q->blob(0);
  if (q->integer(2) != 0)
    verify_row(*db_, q->integer(1), store::thumbnail_checksum(vector_id, jpeg),
               "thumbnail of vector " + std::to_string(vector_id));
  return jpeg;
}

namespace {

// Recomputes the checksum of every row of one table; a finding per mismatch
// (the first kMaxListed of each table listed, then a count).
void verify_table(Backend& db, GalleryCheck& report, const std::string& table, const std::string& sql,
                  const std::function<std::optional<std::string>(store::Statement&)>& problem_of) {
  constexpr int kMaxListed = 20;
  int bad = 0;
  try {
    for (auto q = db.prepare(sql); q->step();) {
      if (const auto problem = problem_of(*q)) {
        if (++bad <= kMaxListed) report.findings.push_back(table + ": " + *problem);
      } else {
        ++report.rows_verified;
      }
    }
  } catch (const Error& e) {
    report.findings.push_back(table + ": cannot be read: " + e.what());
  }
  if (bad > kMaxListed)
    report.findings.push_back(table + ": " + std::to_string(bad - kMaxListed) + " more rows with a checksum mismatch");
}

std::optional<std::string> mismatch(int64_t stored, int64_t computed, const std::string& row) {
  if (stored == computed) return std::nullopt;
  return row + ": checksum mismatch";
}

}  // namespace

GalleryCheck check_gallery(const std::string& location) {
  const std::unique_ptr<Backend> db = open_backend(location, /*read_only=*/true);
  GalleryCheck report;
  report.schema_version = db->schema_version();
  check_known_version(*db, report.schema_version);
  check(report.schema_version > 0, db->name(), "not a facekit gallery (no gallery schema)");
  try {
    const std::string integrity = db->integrity_check();
    for (size_t at = 0; integrity != "ok" && at < integrity.size();) {
      const size_t end = std::min(integrity.find('\n', at), integrity.size());
      report.findings.push_back("integrity check: " + integrity.substr(at, end - at));
      at = end + 1;
    }
  } catch (const Error& e) {
    report.findings.push_back(std::string("integrity check: cannot run: ") + e.what());
  }
  if (report.schema_version < kFirstVersionWithChecksums) return report;

  verify_table(*db, report, "people", "SELECT id, name, checksum FROM people", [](store::Statement& q) {
    return mismatch(q.integer(2), store::person_checksum(q.integer(0), q.text(1)), "person " + std::to_string(q.integer(0)));
  });
  verify_table(*db, report, "photos",
               "SELECT id, person_id, model, file, content_hash, enrolled_at, checksum FROM photos",
               [](store::Statement& q) {
                 return mismatch(q.integer(6),
                                 store::photo_checksum(q.integer(0), q.integer(1), q.text(2), q.text(3), q.text(4),
                                                       q.integer(5)),
                                 "photo " + std::to_string(q.integer(0)) + " (" + q.text(3) + ")");
               });
  verify_table(*db, report, "vectors",
               "SELECT id, photo_id, x, y, width, height, dimension, data, checksum FROM vectors",
               [](store::Statement& q) -> std::optional<std::string> {
                 const std::string row = "vector " + std::to_string(q.integer(0));
                 const std::vector<uint8_t> data = q.blob(7);
                 if (auto bad = mismatch(q.integer(8),
                                         store::vector_checksum(q.integer(0), q.integer(1), q.real(2), q.real(3),
                                                                q.real(4), q.real(5), q.integer(6), data),
                                         row))
                   return bad;
                 if (q.integer(6) <= 0 || data.size() != static_cast<size_t>(q.integer(6)) * sizeof(float))
                   return row + ": " + std::to_string(data.size()) + " bytes for a " + std::to_string(q.integer(6)) +
                          "-D vector";
                 return std::nullopt;
               });
  verify_table(*db, report, "thumbnails", "SELECT vector_id, jpeg, checksum FROM thumbnails", [](store::Statement& q) {
    return mismatch(q.integer(2), store::thumbnail_checksum(q.integer(0), q.blob(1)),
                    "thumbnail of vector " + std::to_string(q.integer(0)));
  });
  return report;
}

}  // namespace facekit
