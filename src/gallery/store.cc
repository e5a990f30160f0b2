// The gallery's SQLite store: schema, enrollment batches, people.
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/zoo.h"
#include "gallery/sqlite.h"

namespace facekit {
namespace {

// Version 1. Photos belong to a person and a model; vectors to a photo.
// Deleting a person cascades to their photos and vectors.
constexpr const char* kSchema = R"sql(
CREATE TABLE people (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE photos (
  id           INTEGER PRIMARY KEY,
  person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  model        TEXT NOT NULL,
  file         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  enrolled_at  INTEGER NOT NULL,
  UNIQUE (model, content_hash)
);
CREATE INDEX photos_by_file ON photos(model, person_id, file);
CREATE INDEX photos_by_person ON photos(person_id);
CREATE TABLE vectors (
  id        INTEGER PRIMARY KEY,
  photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  x REAL NOT NULL, y REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL,
  dimension INTEGER NOT NULL,
  data      BLOB NOT NULL
);
CREATE INDEX vectors_by_photo ON vectors(photo_id);
)sql";

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
int64_t person_id(sqlite::Database& db, const std::string& name) {
  auto q = db.prepare("SELECT id FROM people WHERE name = ?1");
  q.bind(1, name);
  return q.step() ? q.integer(0) : 0;
}

int64_t ensure_person(sqlite::Database& db, const std::string& name) {
  if (const int64_t id = person_id(db, name)) return id;
  db.prepare("INSERT INTO people(name) VALUES (?1)").bind(1, name).run();
  return db.last_insert_id();
}

// The dimension of `model`'s stored vectors, 0 when it has none.
int64_t stored_dimension(sqlite::Database& db, const std::string& model) {
  auto q = db.prepare(
      "SELECT v.dimension FROM vectors v JOIN photos p ON v.photo_id = p.id WHERE p.model = ?1 LIMIT 1");
  q.bind(1, model);
  return q.step() ? q.integer(0) : 0;
}

void validate(sqlite::Database& db, const std::vector<PhotoEnrollment>& batch) {
  for (const auto& photo : batch) {
    const std::string context = db.path() + ": enrolling " + photo.file;
    check_name(photo.identity, context);
    check(!photo.model.empty(), context, "no model named");
    check(!photo.content_hash.empty(), context, "no content hash");
    for (const auto& face : photo.faces) {
      check(!face.vector.empty(), context, "a face has an empty vector");
      for (float x : face.vector) check(std::isfinite(x), context, "a face's vector holds NaN or infinity");
    }
  }
}

EnrollReport enroll_one(sqlite::Database& db, const PhotoEnrollment& photo, int64_t now,
                        std::map<std::string, int64_t>& dimensions) {
  EnrollReport report;
  auto same = db.prepare(
      "SELECT people.name, photos.file FROM photos JOIN people ON photos.person_id = people.id "
      "WHERE photos.model = ?1 AND photos.content_hash = ?2");
  same.bind(1, photo.model).bind(2, photo.content_hash);
  if (same.step()) {
    if (same.text(0) == photo.identity && same.text(1) == photo.file) return {EnrollOutcome::kUnchanged, {}, {}};
    return {EnrollOutcome::kDuplicate, same.text(0), same.text(1)};
  }

  const int64_t person = ensure_person(db, photo.identity);
  auto old = db.prepare("DELETE FROM photos WHERE model = ?1 AND person_id = ?2 AND file = ?3");
  old.bind(1, photo.model).bind(2, person).bind(3, photo.file).run();
  if (db.changes() > 0) report.outcome = EnrollOutcome::kReplaced;

  db.prepare("INSERT INTO photos(person_id, model, file, content_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, person)
      .bind(2, photo.model)
      .bind(3, photo.file)
      .bind(4, photo.content_hash)
      .bind(5, now)
      .run();
  const int64_t photo_id = db.last_insert_id();

  auto insert = db.prepare(
      "INSERT INTO vectors(photo_id, x, y, width, height, dimension, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& face : photo.faces) {
    auto [known, fresh] = dimensions.try_emplace(photo.model, 0);
    if (fresh) known->second = stored_dimension(db, photo.model);
    const auto dim = static_cast<int64_t>(face.vector.size());
    if (known->second == 0) known->second = dim;
    check(known->second == dim, db.path() + ": enrolling " + photo.file,
          "model " + photo.model + " has " + std::to_string(known->second) + "-D vectors here, this one is " +
              std::to_string(dim) + "-D");
    insert.bind(1, photo_id)
        .bind(2, double{face.box.x})
        .bind(3, double{face.box.y})
        .bind(4, double{face.box.width})
        .bind(5, double{face.box.height})
        .bind(6, dim)
        .bind_blob(7, as_bytes(face.vector));
    insert.run();
    insert.reset();
  }
  return report;
}

int64_t count(sqlite::Database& db, const std::string& all_sql, const std::string& model_sql,
              const std::string& model) {
  auto q = db.prepare(model.empty() ? all_sql : model_sql);
  if (!model.empty()) q.bind(1, model);
  q.step();
  return q.integer(0);
}

}  // namespace

std::string content_hash(const std::filesystem::path& file) { return zoo::sha256_file(file); }

Gallery::Gallery(const std::filesystem::path& path)
    : path_(path), db_(std::make_unique<sqlite::Database>(path.string())) {
  // WAL: readers never block the writer nor it them. FULL: a committed batch
  // survives a power cut, not only a killed process.
  db_->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
  const int version = schema_version();
  check(version <= kSchemaVersion, path_.string(),
        "gallery schema version " + std::to_string(version) + " is newer than this facekit's (" +
            std::to_string(kSchemaVersion) + ")");
  if (version == 0) {
    sqlite::Transaction tx(*db_);
    if (schema_version() == 0) {  // no other process created it meanwhile
      auto tables = db_->prepare("SELECT count(*) FROM sqlite_master");
      tables.step();
      check(tables.integer(0) == 0, path_.string(), "a SQLite database that is not a facekit gallery");
      db_->exec(kSchema);
      db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    }
    tx.commit();
  }
}

Gallery::~Gallery() = default;
Gallery::Gallery(Gallery&&) noexcept = default;
Gallery& Gallery::operator=(Gallery&&) noexcept = default;

int Gallery::schema_version() const {
  auto q = db_->prepare("PRAGMA user_version");
  q.step();
  return static_cast<int>(q.integer(0));
}

std::vector<EnrollReport> Gallery::enroll(const std::vector<PhotoEnrollment>& batch) {
  validate(*db_, batch);
  const int64_t now = std::time(nullptr);
  std::map<std::string, int64_t> dimensions;
  std::vector<EnrollReport> reports;
  reports.reserve(batch.size());
  sqlite::Transaction tx(*db_);
  for (const auto& photo : batch) reports.push_back(enroll_one(*db_, photo, now, dimensions));
  tx.commit();
  return reports;
}

bool Gallery::contains_photo(const std::string& model, const std::string& hash) const {
  auto q = db_->prepare("SELECT 1 FROM photos WHERE model = ?1 AND content_hash = ?2");
  q.bind(1, model).bind(2, hash);
  return q.step();
}

void Gallery::add_person(const std::string& name) {
  check_name(name, path_.string());
  check(!has_person(name), path_.string(), "person already exists: " + name);
  db_->prepare("INSERT INTO people(name) VALUES (?1)").bind(1, name).run();
}

void Gallery::rename_person(const std::string& from, const std::string& to) {
  check_name(to, path_.string());
  sqlite::Transaction tx(*db_);
  check(has_person(from), path_.string(), "no such person: " + from);
  check(!has_person(to), path_.string(), "person already exists: " + to);
  db_->prepare("UPDATE people SET name = ?2 WHERE name = ?1").bind(1, from).bind(2, to).run();
  tx.commit();
}

void Gallery::remove_person(const std::string& name) {
  db_->prepare("DELETE FROM people WHERE name = ?1").bind(1, name).run();
  check(db_->changes() > 0, path_.string(), "no such person: " + name);
}

bool Gallery::has_person(const std::string& name) const { return person_id(*db_, name) != 0; }

std::vector<std::string> Gallery::people() const {
  std::vector<std::string> names;
  auto q = db_->prepare("SELECT name FROM people ORDER BY name");
  while (q.step()) names.push_back(q.text(0));
  return names;
}

std::vector<std::string> Gallery::models() const {
  std::vector<std::string> names;
  auto q = db_->prepare(
      "SELECT DISTINCT p.model FROM photos p JOIN vectors v ON v.photo_id = p.id ORDER BY p.model");
  while (q.step()) names.push_back(q.text(0));
  return names;
}

std::vector<StoredVector> Gallery::vectors(const std::string& model) const {
  std::vector<StoredVector> out;
  auto q = db_->prepare(
      "SELECT v.id, people.name, v.data, p.file, p.content_hash, v.x, v.y, v.width, v.height, p.enrolled_at "
      "FROM vectors v JOIN photos p ON v.photo_id = p.id JOIN people ON p.person_id = people.id "
      "WHERE p.model = ?1 ORDER BY people.name, v.id");
  q.bind(1, model);
  while (q.step()) {
    StoredVector s;
    s.id = q.integer(0);
    s.identity = q.text(1);
    s.vector = as_floats(q.blob(2));
    s.file = q.text(3);
    s.content_hash = q.text(4);
    s.model = model;
    s.box = cv::Rect2f(static_cast<float>(q.real(5)), static_cast<float>(q.real(6)), static_cast<float>(q.real(7)),
                       static_cast<float>(q.real(8)));
    s.enrolled_at = q.integer(9);
    out.push_back(std::move(s));
  }
  return out;
}

int64_t Gallery::vector_count(const std::string& model) const {
  return count(*db_, "SELECT count(*) FROM vectors",
               "SELECT count(*) FROM vectors v JOIN photos p ON v.photo_id = p.id WHERE p.model = ?1", model);
}

int64_t Gallery::photo_count(const std::string& model) const {
  return count(*db_, "SELECT count(*) FROM photos", "SELECT count(*) FROM photos WHERE model = ?1", model);
}

std::string Gallery::integrity_check() const {
  std::string findings;
  auto q = db_->prepare("PRAGMA integrity_check");
  while (q.step()) findings += (findings.empty() ? "" : "\n") + q.text(0);
  auto fk = db_->prepare("PRAGMA foreign_key_check");
  if (fk.step()) findings += "\nforeign key violation in table " + fk.text(0);
  return findings;
}

}  // namespace facekit
