// The gallery's logic, written once over either backend (gallery_backend.h):
// schema and migrations, enrollment batches, people, thumbnails.
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/zoo.h"
#include "gallery/gallery_backend.h"

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
};
static_assert(std::size(kMigrations) == Gallery::kSchemaVersion);

// `sql` with the dialect's column types in place of {serial}, {integer}, ...
std::string in_dialect(std::string sql, const store::Dialect& d) {
  const std::pair<const char*, const std::string*> types[] = {
      {"{serial}", &d.serial}, {"{integer}", &d.integer}, {"{real}", &d.real}, {"{text}", &d.text}, {"{blob}", &d.blob}};
  for (const auto& [token, type] : types)
    for (size_t at = sql.find(token); at != std::string::npos; at = sql.find(token, at + type->size()))
      sql.replace(at, std::strlen(token), *type);
  return sql;
}

// Creates or migrates the schema to kSchemaVersion, in one transaction.
void prepare_schema(Backend& db) {
  int version = db.schema_version();
  check(version <= Gallery::kSchemaVersion, db.name(),
        "gallery schema version " + std::to_string(version) + " is newer than this facekit's (" +
            std::to_string(Gallery::kSchemaVersion) + ")");
  if (version == Gallery::kSchemaVersion) return;
  store::WriteTransaction tx(db);
  version = db.schema_version();  // another process may have done it meanwhile
  if (version == 0) check(!db.has_other_tables(), db.name(), "a database that holds tables but no facekit gallery");
  for (; version < Gallery::kSchemaVersion; ++version) db.exec(in_dialect(kMigrations[version], db.dialect()));
  db.set_schema_version(Gallery::kSchemaVersion);
  tx.commit();
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

int64_t ensure_person(Backend& db, const std::string& name) {
  if (const int64_t id = person_id(db, name)) return id;
  auto insert = db.prepare("INSERT INTO people(name) VALUES ($1) RETURNING id");
  return inserted_id(insert->bind(1, name));
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
    if (same->text(0) == photo.identity && same->text(1) == photo.file) return {EnrollOutcome::kUnchanged, {}, {}};
    return {EnrollOutcome::kDuplicate, same->text(0), same->text(1)};
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

  auto insert_vector = db.prepare(
      "INSERT INTO vectors(photo_id, x, y, width, height, dimension, data) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "RETURNING id");
  auto insert_thumbnail = db.prepare("INSERT INTO thumbnails(vector_id, jpeg) VALUES ($1, $2)");
  for (const auto& face : photo.faces) {
    auto [known, fresh] = dimensions.try_emplace(photo.model, 0);
    if (fresh) known->second = stored_dimension(db, photo.model);
    const auto dim = static_cast<int64_t>(face.vector.size());
    if (known->second == 0) known->second = dim;
    check(known->second == dim, db.name() + ": enrolling " + photo.file,
          "model " + photo.model + " has " + std::to_string(known->second) + "-D vectors here, this one is " +
              std::to_string(dim) + "-D");
    const int64_t vector_id = inserted_id(insert_vector->bind(1, photo_id)
                                              .bind(2, double{face.box.x})
                                              .bind(3, double{face.box.y})
                                              .bind(4, double{face.box.width})
                                              .bind(5, double{face.box.height})
                                              .bind(6, dim)
                                              .bind_blob(7, as_bytes(face.vector)));
    if (face.thumbnail.empty()) continue;
    insert_thumbnail->bind(1, vector_id).bind_blob(2, face.thumbnail).run();
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

Gallery::Gallery(const std::string& location)
    : db_(is_postgres_location(location) ? store::open_postgres(location) : store::open_sqlite(location)) {
  prepare_schema(*db_);
}

Gallery::~Gallery() = default;
Gallery::Gallery(Gallery&&) noexcept = default;
Gallery& Gallery::operator=(Gallery&&) noexcept = default;

const std::string& Gallery::location() const { return db_->name(); }
int Gallery::schema_version() const { return db_->schema_version(); }
std::string Gallery::integrity_check() const { return db_->integrity_check(); }

std::vector<EnrollReport> Gallery::enroll(const std::vector<PhotoEnrollment>& batch) {
  validate(*db_, batch);
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
  store::WriteTransaction tx(*db_);
  check(!has_person(name), location(), "person already exists: " + name);
  db_->prepare("INSERT INTO people(name) VALUES ($1)")->bind(1, name).run();
  tx.commit();
}

void Gallery::rename_person(const std::string& from, const std::string& to) {
  check_name(to, location());
  store::WriteTransaction tx(*db_);
  check(has_person(from), location(), "no such person: " + from);
  check(!has_person(to), location(), "person already exists: " + to);
  db_->prepare("UPDATE people SET name = $2 WHERE name = $1")->bind(1, from).bind(2, to).run();
  tx.commit();
}

void Gallery::remove_person(const std::string& name) {
  store::WriteTransaction tx(*db_);
  auto remove = db_->prepare("DELETE FROM people WHERE name = $1 RETURNING id");
  check(remove->bind(1, name).run() > 0, location(), "no such person: " + name);
  tx.commit();
}

bool Gallery::has_person(const std::string& name) const { return person_id(*db_, name) != 0; }

std::vector<std::string> Gallery::people() const {
  std::vector<std::string> names;
  auto q = db_->prepare("SELECT name FROM people ORDER BY name");
  while (q->step()) names.push_back(q->text(0));
  return names;
}

std::vector<std::string> Gallery::models() const {
  std::vector<std::string> names;
  auto q = db_->prepare(
      "SELECT DISTINCT p.model FROM photos p JOIN vectors v ON v.photo_id = p.id ORDER BY p.model");
  while (q->step()) names.push_back(q->text(0));
  return names;
}

std::vector<StoredVector> Gallery::vectors(const std::string& model) const {
  std::vector<StoredVector> out;
  auto q = db_->prepare(
      "SELECT v.id, people.name, v.data, p.file, p.content_hash, v.x, v.y, v.width, v.height, p.enrolled_at "
      "FROM vectors v JOIN photos p ON v.photo_id = p.id JOIN people ON p.person_id = people.id "
      "WHERE p.model = $1 ORDER BY people.name, v.id");
  q->bind(1, model);
  while (q->step()) {
    StoredVector s;
    s.id = q->integer(0);
    s.identity = q->text(1);
    s.vector = as_floats(q->blob(2));
    s.file = q->text(3);
    s.content_hash = q->text(4);
    s.model = model;
    s.box = cv::Rect2f(static_cast<float>(q->real(5)), static_cast<float>(q->real(6)),
                       static_cast<float>(q->real(7)), static_cast<float>(q->real(8)));
    s.enrolled_at = q->integer(9);
    out.push_back(std::move(s));
  }
  return out;
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
      "SELECT t.jpeg FROM vectors v LEFT JOIN thumbnails t ON t.vector_id = v.id WHERE v.id = $1");
  q->bind(1, vector_id);
  check(q->step(), location(), "no vector with id " + std::to_string(vector_id));
  return q->blob(0);
}

}  // namespace facekit
