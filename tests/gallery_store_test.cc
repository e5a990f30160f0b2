// The gallery store, on SQLite and on a PostgreSQL server the test starts
// itself (tests/postgres_server.h): names round-trip exactly, people come and
// go without touching others (thumbnails included), duplicates are
// recognised, and a killed enrollment leaves a consistent database that a
// rerun completes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "postgres_server.h"
#include "testing.h"

namespace fs = std::filesystem;
using facekit::EnrollOutcome;
using facekit::Gallery;
using facekit::PhotoEnrollment;

namespace {

enum class Backend { kSqlite, kPostgres };

// The first row's first column of `sql` in a SQLite file, as text.
std::string sqlite_query(const fs::path& file, const std::string& sql) {
  sqlite3* raw = nullptr;
  std::string value;
  if (sqlite3_open(file.c_str(), &raw) == SQLITE_OK) {
    sqlite3_exec(
        raw, sql.c_str(),
        [](void* out, int columns, char** values, char**) {
          if (columns > 0 && values[0] && static_cast<std::string*>(out)->empty())
            *static_cast<std::string*>(out) = values[0];
          return 0;
        },
        &value, nullptr);
  }
  sqlite3_close(raw);
  return value;
}

// A fresh directory per test, removed afterwards, and a fresh gallery
// location: a file in it, or a new schema on the test's PostgreSQL server.
class GalleryStore : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("facekit_gallery_" + std::to_string(getpid()) + "_" + test);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (GetParam() == Backend::kSqlite) {
      db_ = (dir_ / "people.db").string();
      return;
    }
    server_ = facekit::testing::shared_postgres_server();
    if (!server_) GTEST_SKIP() << "PostgreSQL server binaries (initdb, postgres) not found: install Debian's postgresql";
    db_ = server_->create_schema(new_schema_name());
  }
  void TearDown() override { fs::remove_all(dir_); }
  const std::string& db() const { return db_; }
  bool postgres() const { return GetParam() == Backend::kPostgres; }
  // Another empty location of the same backend.
  std::string another_db(const std::string& name) {
    return postgres() ? server_->create_schema(new_schema_name()) : (dir_ / name).string();
  }
  // `sql` run on the gallery's database directly, not through facekit: the
  // first row's first column as text.
  std::string raw_query(const std::string& sql) const {
    return postgres() ? facekit::testing::postgres_query(db_, sql) : sqlite_query(db_, sql);
  }
  int64_t rows(const std::string& table) const { return std::stoll(raw_query("SELECT count(*) FROM " + table)); }

  fs::path dir_;
  std::string db_;
  facekit::testing::PostgresServer* server_ = nullptr;

 private:
  static std::string new_schema_name() {
    static int serial = 0;
    return "gallery_" + std::to_string(++serial);
  }
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgres";
}

// A photo whose one face has a vector derived from `seed`.
PhotoEnrollment photo(const std::string& identity, const std::string& file, const std::string& hash,
                      float seed, const std::string& model = "m", int dim = 4) {
  PhotoEnrollment p{identity, file, hash, model, {}};
  std::vector<float> v(dim);
  for (int i = 0; i < dim; ++i) v[i] = seed + static_cast<float>(i);
  p.faces.push_back({cv::Rect2f(1, 2, 30, 40), v, {}});
  return p;
}

// A small real JPEG of one shade (encoded by OpenCV, not by facekit).
std::vector<uint8_t> tiny_jpeg(int shade) {
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(shade, shade, shade)), jpeg);
  return jpeg;
}

const std::vector<std::string> kHostileNames = {
    "O'Brien",
    "say \"hi\"",
    "../../etc/passwd",
    "a/b\\c",
    "..",
    "Robert'); DROP TABLE people;--",
    "% _ LIKE *",
    "Zoë Åström 张伟 محمد 🙂",
    " leading and trailing ",
    "tab\there\nnewline",
    "caf\xe9 \xff\xfe",  // Latin-1, not UTF-8: bytes all the same
};

TEST_P(GalleryStore, HostileNamesRoundTripExactly) {
  {
    Gallery g(db());
    std::vector<PhotoEnrollment> batch;
    for (size_t i = 0; i < kHostileNames.size(); ++i)
      batch.push_back(photo(kHostileNames[i], "f" + std::to_string(i), "h" + std::to_string(i), float(i)));
    g.enroll(batch);
  }
  Gallery g(db());  // reopened: the names come from the file
  std::set<std::string> want(kHostileNames.begin(), kHostileNames.end());
  const auto people = g.people();
  EXPECT_EQ(std::set<std::string>(people.begin(), people.end()), want);
  EXPECT_TRUE(std::is_sorted(people.begin(), people.end()));
  for (const auto& v : g.vectors("m")) {
    const auto i = std::stoi(v.file.substr(1));
    EXPECT_EQ(v.identity, kHostileNames[i]);
    EXPECT_EQ(v.vector[0], float(i));
  }
  // The tables are all still there, and nothing was created beside the database.
  EXPECT_EQ(g.vector_count("m"), static_cast<int64_t>(kHostileNames.size()));
  EXPECT_EQ(rows("people"), static_cast<int64_t>(kHostileNames.size()));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().rfind("people.db", 0), 0u) << entry.path();
}

TEST_P(GalleryStore, InvalidNamesAreRefusedAndNothingIsStored) {
  Gallery g(db());
  EXPECT_THROW(g.enroll({photo("ok", "a", "ha", 0), photo("", "b", "hb", 1)}), facekit::Error);
  EXPECT_THROW(g.add_person(std::string("nul\0byte", 8)), facekit::Error);
  auto bad = photo("ok", "c", "hc", 0);
  bad.faces[0].vector[1] = NAN;
  EXPECT_THROW(g.enroll({bad}), facekit::Error);
  EXPECT_EQ(g.photo_count(), 0);
  EXPECT_TRUE(g.people().empty());
}

TEST_P(GalleryStore, ProvenanceIsKept) {
  Gallery g(db());
  g.enroll({photo("Ann", "people/Ann/1.jpg", "abc", 7)});
  const auto v = g.vectors("m");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].file, "people/Ann/1.jpg");
  EXPECT_EQ(v[0].content_hash, "abc");
  EXPECT_EQ(v[0].model, "m");
  EXPECT_EQ(v[0].box, cv::Rect2f(1, 2, 30, 40));
  EXPECT_EQ(v[0].vector, (std::vector<float>{7, 8, 9, 10}));
  EXPECT_GT(v[0].enrolled_at, 1'600'000'000);
}

TEST_P(GalleryStore, AddRenameRemoveLeaveOthersAlone) {
  Gallery g(db());
  g.enroll({photo("Ann", "a1", "ha1", 1), photo("Ann", "a2", "ha2", 2), photo("Bob", "b1", "hb1", 3),
            photo("Cy", "c1", "hc1", 4, "other")});
  g.add_person("Dee");
  EXPECT_THROW(g.add_person("Dee"), facekit::Error);
  EXPECT_EQ(g.people(), (std::vector<std::string>{"Ann", "Bob", "Cy", "Dee"}));

  g.rename_person("Ann", "Anna");
  EXPECT_THROW(g.rename_person("Nobody", "X"), facekit::Error);
  EXPECT_THROW(g.rename_person("Bob", "Anna"), facekit::Error);
  auto v = g.vectors("m");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].identity, "Anna");
  EXPECT_EQ(v[1].identity, "Anna");
  EXPECT_EQ(v[2].identity, "Bob");

  g.remove_person("Anna");
  EXPECT_THROW(g.remove_person("Anna"), facekit::Error);
  EXPECT_EQ(g.people(), (std::vector<std::string>{"Bob", "Cy", "Dee"}));
  EXPECT_EQ(g.vector_count("m"), 1);
  EXPECT_EQ(g.photo_count("m"), 1);
  EXPECT_EQ(g.vector_count("other"), 1);
  EXPECT_FALSE(g.contains_photo("m", "ha1"));  // the photo may be enrolled again
  EXPECT_EQ(g.integrity_check(), "ok");
}

TEST_P(GalleryStore, RemovingOnePhotoKeepsItsPersonAndTheRest) {
  Gallery g(db());
  auto ann1 = photo("Ann", "a1", "ha1", 1);
  ann1.faces.push_back(ann1.faces[0]);  // a photo with two faces: both go with it
  ann1.faces[0].thumbnail = tiny_jpeg(10);
  auto ann2 = photo("Ann", "a2", "ha2", 2);
  ann2.faces[0].thumbnail = tiny_jpeg(20);
  g.enroll({ann1, ann2, photo("Bob", "b1", "hb1", 3)});
  const auto v = g.vectors("m");  // Ann's a1 (two faces) and a2, then Bob's
  ASSERT_EQ(v.size(), 4u);
  g.remove_photo_of(v[1].id);  // the second face of a1: the whole photo goes
  EXPECT_THROW(g.remove_photo_of(v[0].id), facekit::Error);
  EXPECT_THROW(g.remove_photo_of(987654), facekit::Error);
  const auto left = g.vectors("m");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, v[2].id);
  EXPECT_EQ(left[1].identity, "Bob");
  EXPECT_EQ(g.people(), (std::vector<std::string>{"Ann", "Bob"}));
  EXPECT_FALSE(g.contains_photo("m", "ha1"));
  EXPECT_EQ(g.thumbnail(v[2].id), tiny_jpeg(20));
  EXPECT_EQ(rows("thumbnails"), 1);
  EXPECT_EQ(g.integrity_check(), "ok");
  Gallery read_only(db(), facekit::GalleryAccess::kReadOnly);
  EXPECT_THROW(read_only.remove_photo_of(v[2].id), facekit::Error);
  EXPECT_EQ(read_only.vector_count("m"), 2);
}

TEST_P(GalleryStore, DuplicatesAndChangedFiles) {
  Gallery g(db());
  auto r = g.enroll({photo("Ann", "a.jpg", "h1", 1)});
  EXPECT_EQ(r[0].outcome, EnrollOutcome::kAdded);
  r = g.enroll({photo("Ann", "a.jpg", "h1", 1), photo("Bob", "copy.jpg", "h1", 1), photo("Ann", "a.jpg", "h2", 5)});
  EXPECT_EQ(r[0].outcome, EnrollOutcome::kUnchanged);
  EXPECT_EQ(r[1].outcome, EnrollOutcome::kDuplicate);
  EXPECT_EQ(r[1].existing_identity, "Ann");
  EXPECT_EQ(r[1].existing_file, "a.jpg");
  EXPECT_EQ(r[2].outcome, EnrollOutcome::kReplaced);  // a.jpg changed: its old vector is gone
  const auto v = g.vectors("m");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].content_hash, "h2");
  EXPECT_FALSE(g.has_person("Bob"));
  // The same content under another model is a different photo.
  EXPECT_EQ(g.enroll({photo("Ann", "a.jpg", "h2", 5, "other")})[0].outcome, EnrollOutcome::kAdded);
}

TEST_P(GalleryStore, EnrollReportsTheVectorsOfEachPhoto) {
  Gallery g(db());
  auto two = photo("Ann", "a1", "ha1", 1);
  two.faces.push_back(two.faces[0]);
  const auto added = g.enroll({two, photo("Bob", "b1", "hb1", 3)});
  const auto v = g.vectors("m");  // read back independently of the reports
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(added[0].vector_ids, (std::vector<int64_t>{v[0].id, v[1].id}));
  EXPECT_EQ(added[1].vector_ids, (std::vector<int64_t>{v[2].id}));
  const auto again = g.enroll({two, photo("Cy", "c1", "hb1", 3)});
  EXPECT_EQ(again[0].outcome, EnrollOutcome::kUnchanged);
  EXPECT_EQ(again[0].vector_ids, added[0].vector_ids);  // the ones already there
  EXPECT_EQ(again[1].outcome, EnrollOutcome::kDuplicate);
  EXPECT_TRUE(again[1].vector_ids.empty());
}

// What a node reads for the vectors a change touched: those of the model
// still stored, in the order asked, each as vectors() reads it.
TEST_P(GalleryStore, VectorsAreReadByIdAmongAModelsOwn) {
  Gallery g(db());
  const auto added = g.enroll({photo("Ann", "a1", "ha1", 1), photo("Bob", "b1", "hb1", 3),
                               photo("Ann", "a2", "ha2", 5, "other")});
  const int64_t ann = added[0].vector_ids[0], bob = added[1].vector_ids[0], other = added[2].vector_ids[0];
  g.remove_photo_of(bob);
  const std::vector<int64_t> asked{bob, other, ann, 999'999};
  const auto read = g.vectors_with_ids("m", asked);
  ASSERT_EQ(read.size(), 1u) << "Bob is removed, `other` is another model's, 999999 never was";
  const auto all = g.vectors("m");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(read[0].id, ann);
  EXPECT_EQ(read[0].identity, "Ann");
  EXPECT_EQ(read[0].vector, all[0].vector);
  EXPECT_EQ(read[0].file, "a1");
  const std::vector<int64_t> both{other, other};
  EXPECT_EQ(g.vectors_with_ids("other", both).size(), 2u);
  EXPECT_TRUE(g.vectors_with_ids("m", {}).empty());
}

// CompreFace's face listing and thumbnail lookup: a page, or one face, read
// without the rest of the gallery (a damaged row outside the page is not read).
TEST_P(GalleryStore, FacesArePagedAndLookedUpOneByOne) {
  Gallery g(db());
  auto ann1 = photo("Ann", "a1", "ha1", 1);
  ann1.faces.push_back(ann1.faces[0]);
  g.enroll({photo("Bob", "b1", "hb1", 3), ann1, photo("Ann", "a2", "ha2", 2), photo("Cy", "c1", "hc1", 4, "other")});
  std::vector<facekit::StoredVector> all = g.vectors("m");
  for (const auto& v : g.vectors("other")) all.push_back(v);
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return std::tie(a.identity, a.id) < std::tie(b.identity, b.id); });
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(g.face_count(), 5);
  EXPECT_EQ(g.face_count("Ann"), 3);
  EXPECT_EQ(g.face_count("Nobody"), 0);

  std::vector<facekit::StoredFaceEntry> paged;
  for (int64_t offset = 0; offset < 6; offset += 2) {
    const auto page = g.faces("", offset, 2);
    EXPECT_EQ(page.size(), offset < 4 ? 2u : 1u);
    paged.insert(paged.end(), page.begin(), page.end());
  }
  ASSERT_EQ(paged.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(paged[i].id, all[i].id);
    EXPECT_EQ(paged[i].identity, all[i].identity);
    EXPECT_EQ(paged[i].model, all[i].model);
  }
  const auto ann = g.faces("Ann", 1, 10);
  ASSERT_EQ(ann.size(), 2u);
  EXPECT_EQ(ann[0].id, all[1].id);
  EXPECT_EQ(ann[1].id, all[2].id);
  EXPECT_TRUE(g.faces("Ann", 3, 10).empty());
  EXPECT_TRUE(g.faces("", 0, 0).empty());
  EXPECT_THROW(g.faces("", -1, 2), facekit::Error);
  EXPECT_THROW(g.faces("", 0, -2), facekit::Error);

  const auto cy = g.face(all[4].id);
  ASSERT_TRUE(cy.has_value());
  EXPECT_EQ(cy->identity, "Cy");
  EXPECT_EQ(cy->model, "other");
  EXPECT_FALSE(g.face(987654).has_value());

  // Cy's vector damaged: the pages before it and Ann's faces still answer,
  // the page and the lookup that read it name the row.
  raw_query("UPDATE vectors SET x = x + 1 WHERE id = " + std::to_string(all[4].id));
  EXPECT_EQ(g.faces("", 0, 4).size(), 4u);
  EXPECT_EQ(g.face(all[0].id)->identity, "Ann");
  const std::string message = facekit::testing::error_of([&] { g.faces("", 4, 1); });
  EXPECT_NE(message.find("vector " + std::to_string(all[4].id) + ": checksum mismatch"), std::string::npos) << message;
  EXPECT_THROW(g.face(all[4].id), facekit::Error);
}

TEST_P(GalleryStore, ModelsAreKeptApartAndDimensionsChecked) {
  Gallery g(db());
  g.enroll({photo("Ann", "a", "h", 1, "m4", 4), photo("Ann", "a", "h", 1, "m8", 8)});
  EXPECT_EQ(g.models(), (std::vector<std::string>{"m4", "m8"}));
  EXPECT_EQ(g.vectors("m8")[0].vector.size(), 8u);
  EXPECT_THROW(g.enroll({photo("Bob", "b", "hb", 1, "m4", 8)}), facekit::Error);
  EXPECT_FALSE(g.has_person("Bob"));  // the failed batch left nothing
}

TEST_P(GalleryStore, FacelessPhotosAreRemembered) {
  Gallery g(db());
  g.enroll({PhotoEnrollment{"Ann", "blank.png", "hb", "m", {}}});
  EXPECT_TRUE(g.contains_photo("m", "hb"));
  EXPECT_EQ(g.vector_count("m"), 0);
}

TEST_P(GalleryStore, RefusesForeignDatabasesAndNewerSchemas) {
  {
    Gallery g(db());
    EXPECT_EQ(g.schema_version(), Gallery::kSchemaVersion);
  }
  const std::string foreign = another_db("foreign.db");
  if (postgres())
    facekit::testing::postgres_query(foreign, "CREATE TABLE accounts (id integer)");
  else
    sqlite_query(foreign, "CREATE TABLE accounts (id integer)");
  EXPECT_THROW(Gallery{foreign}, facekit::Error);
  EXPECT_EQ(rows("people"), 0);  // (raw_query reads the gallery's database)

  raw_query(postgres() ? "UPDATE facekit_schema SET version = 99" : "PRAGMA user_version = 99");
  try {
    Gallery g(db());
    ADD_FAILURE() << "a newer schema was opened";
  } catch (const facekit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_P(GalleryStore, ThumbnailsAreKeptAndGoWithTheirVectors) {
  Gallery g(db());
  auto ann1 = photo("Ann", "a1", "ha1", 1);
  ann1.faces.push_back(ann1.faces[0]);  // a second face, without a thumbnail
  ann1.faces[0].thumbnail = tiny_jpeg(10);
  auto ann2 = photo("Ann", "a2", "ha2", 2);
  ann2.faces[0].thumbnail = tiny_jpeg(20);
  auto bob = photo("Bob", "b1", "hb1", 3);
  bob.faces[0].thumbnail = tiny_jpeg(30);
  g.enroll({ann1, ann2, bob});
  auto v = g.vectors("m");  // Ann's a1 (two faces) and a2, then Bob's
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(g.thumbnail(v[0].id), tiny_jpeg(10));
  EXPECT_TRUE(g.thumbnail(v[1].id).empty());
  EXPECT_EQ(g.thumbnail(v[2].id), tiny_jpeg(20));
  EXPECT_EQ(g.thumbnail(v[3].id), tiny_jpeg(30));
  EXPECT_EQ(rows("thumbnails"), 3);

  // A changed file replaces its vectors and their thumbnails.
  auto ann2_changed = photo("Ann", "a2", "ha2-changed", 5);
  ann2_changed.faces[0].thumbnail = tiny_jpeg(40);
  ASSERT_EQ(g.enroll({ann2_changed})[0].outcome, EnrollOutcome::kReplaced);
  EXPECT_THROW(g.thumbnail(v[2].id), facekit::Error);
  EXPECT_EQ(rows("thumbnails"), 3);

  g.remove_person("Ann");
  for (const auto& stored : g.vectors("m")) EXPECT_EQ(stored.identity, "Bob");
  EXPECT_THROW(g.thumbnail(v[0].id), facekit::Error);
  EXPECT_EQ(g.thumbnail(v[3].id), tiny_jpeg(30));
  EXPECT_EQ(rows("thumbnails"), 1);
  EXPECT_EQ(rows("vectors"), 1);
  EXPECT_EQ(rows("photos"), 1);
  EXPECT_EQ(g.integrity_check(), "ok");
}

TEST_P(GalleryStore, ThumbnailsThatAreNotSmallJpegsAreRefused) {
  Gallery g(db());
  std::vector<uint8_t> png;
  cv::imencode(".png", cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), png);
  auto oversized = tiny_jpeg(50);
  oversized.resize(facekit::kMaxThumbnailBytes + 1);
  for (const auto& bytes : {png, std::vector<uint8_t>{0xFF, 0xD8}, oversized}) {
    auto p = photo("Ann", "a", "h", 1);
    p.faces[0].thumbnail = bytes;
    EXPECT_THROW(g.enroll({p}), facekit::Error);
  }
  EXPECT_EQ(g.photo_count(), 0);
  EXPECT_THROW(g.thumbnail(1), facekit::Error);
}

TEST(FaceThumbnail, ScalesDownToItsSizeAndKeepsTheColours) {
  cv::Mat crop(150, 100, CV_8UC3, cv::Scalar(200, 40, 90));  // R, G, B
  const auto jpeg = facekit::face_thumbnail(crop);
  const cv::Mat decoded = cv::imdecode(jpeg, cv::IMREAD_COLOR);  // B, G, R
  ASSERT_FALSE(decoded.empty());
  EXPECT_EQ(decoded.rows, facekit::kThumbnailSize);
  EXPECT_EQ(decoded.cols, 75);  // 100 · 112/150 = 74.7
  const cv::Scalar mean = cv::mean(decoded);
  EXPECT_NEAR(mean[0], 90, 3);
  EXPECT_NEAR(mean[1], 40, 3);
  EXPECT_NEAR(mean[2], 200, 3);
  // Small crops are not enlarged.
  const cv::Mat small = cv::imdecode(facekit::face_thumbnail(cv::Mat(30, 40, CV_8UC3, cv::Scalar(0))), cv::IMREAD_COLOR);
  EXPECT_EQ(small.size(), cv::Size(40, 30));
  EXPECT_THROW(facekit::face_thumbnail(cv::Mat()), facekit::Error);
  EXPECT_THROW(facekit::face_thumbnail(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0))), facekit::Error);
  EXPECT_THROW(facekit::face_thumbnail(crop, 0), facekit::Error);
}

// A file written by facekit before thumbnails (schema version 1, as it
// stood) opens migrated, its vectors intact.
TEST(GalleryMigration, SqliteVersion1GainsThumbnailsAndChecksums) {
  const fs::path dir = fs::temp_directory_path() / ("facekit_gallery_v1_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "v1.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, R"sql(
    PRAGMA journal_mode = WAL;
    CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE photos (id INTEGER PRIMARY KEY,
      person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE, model TEXT NOT NULL,
      file TEXT NOT NULL, content_hash TEXT NOT NULL, enrolled_at INTEGER NOT NULL, UNIQUE (model, content_hash));
    CREATE INDEX photos_by_file ON photos(model, person_id, file);
    CREATE INDEX photos_by_person ON photos(person_id);
    CREATE TABLE vectors (id INTEGER PRIMARY KEY,
      photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      x REAL NOT NULL, y REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL,
      dimension INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX vectors_by_photo ON vectors(photo_id);
    INSERT INTO people VALUES (1, 'Ann');
    INSERT INTO photos VALUES (1, 1, 'm', 'a.jpg', 'ha', 1700000000);
    PRAGMA user_version = 1;
  )sql", nullptr, nullptr, nullptr), SQLITE_OK);
  const float values[] = {1, 2, 3, 4};
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "INSERT INTO vectors VALUES (7, 1, 1, 2, 30, 40, 4, ?)", -1, &insert, nullptr),
            SQLITE_OK);
  sqlite3_bind_blob(insert, 1, values, sizeof values, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
  sqlite3_finalize(insert);
  sqlite3_close(raw);
  {
    try {
      Gallery old(file, facekit::GalleryAccess::kReadOnly);
      ADD_FAILURE() << "a version-1 gallery was opened read-only";
    } catch (const facekit::Error& e) {
      EXPECT_NE(std::string(e.what()).find("facekit gallery upgrade"), std::string::npos) << e.what();
    }
    Gallery g(file);  // migrates 1 → 3: the rows already there get their checksums
    EXPECT_EQ(g.schema_version(), Gallery::kSchemaVersion);
    const auto v = g.vectors("m");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].id, 7);
    EXPECT_EQ(v[0].identity, "Ann");
    EXPECT_EQ(v[0].vector, (std::vector<float>{1, 2, 3, 4}));
    EXPECT_TRUE(g.thumbnail(7).empty());
    auto bob = photo("Bob", "b.jpg", "hb", 5);
    bob.faces[0].thumbnail = tiny_jpeg(9);
    g.enroll({bob});
    EXPECT_EQ(g.thumbnail(g.vectors("m")[1].id), tiny_jpeg(9));
    EXPECT_EQ(g.integrity_check(), "ok");
  }
  EXPECT_EQ(Gallery(file).schema_version(), Gallery::kSchemaVersion);
  const facekit::GalleryCheck report = facekit::check_gallery(file);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.rows_verified, 2 + 2 + 2 + 1);
  fs::remove_all(dir);
}

TEST(GalleryLocation, SqliteRefusesFilesThatAreNotDatabases) {
  const fs::path dir = fs::temp_directory_path() / ("facekit_gallery_junk_" + std::to_string(getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "junk.db") << "this is not a database, just some text that is long enough to matter"; }
  EXPECT_THROW(Gallery((dir / "junk.db").string()), facekit::Error);
  EXPECT_THROW(Gallery((dir / "missing-dir" / "x.db").string()), facekit::Error);
  fs::remove_all(dir);
}

TEST(GalleryLocation, UrisChoosePostgresAndMessagesMaskThePassword) {
  EXPECT_TRUE(facekit::is_postgres_location("postgresql://u@h/db"));
  EXPECT_TRUE(facekit::is_postgres_location("postgres:///db?host=/tmp"));
  EXPECT_FALSE(facekit::is_postgres_location("people.db"));
  EXPECT_FALSE(facekit::is_postgres_location("./postgresql://x"));  // a file path
  // No server listens in a folder that does not exist: connecting fails fast.
  for (const std::string uri : {"postgresql://ann:s3cret@/db?host=/nonexistent-facekit&connect_timeout=2",
                                "postgres:///db?host=/nonexistent-facekit&password=s3cret&user=ann"}) {
    try {
      Gallery g(uri);
      ADD_FAILURE() << "connected to " << uri;
    } catch (const facekit::Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
      EXPECT_NE(message.find("***"), std::string::npos) << message;
      EXPECT_NE(message.find("cannot connect"), std::string::npos) << message;
    }
  }
}

TEST(GalleryLocation, ContentHashIsSha256OfTheBytes) {
  const fs::path file = fs::temp_directory_path() / ("facekit_abc_" + std::to_string(getpid()) + ".txt");
  { std::ofstream(file) << "abc"; }
  EXPECT_EQ(facekit::content_hash(file), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(file);
  EXPECT_THROW(facekit::content_hash(file), facekit::Error);
}

// The enrollment a child process runs: `photos` photos of 3 faces each, in
// batches of `batch`, skipping those already stored (as the CLI does).
void enroll_all(const std::string& db, int photos, int batch) {
  Gallery g(db);
  std::vector<PhotoEnrollment> pending;
  for (int i = 0; i < photos; ++i) {
    const std::string hash = "hash" + std::to_string(i);
    if (g.contains_photo("m", hash)) continue;
    auto p = photo("person" + std::to_string(i % 17), "f" + std::to_string(i), hash, float(i), "m", 128);
    p.faces[0].thumbnail = tiny_jpeg(i % 256);
    p.faces.push_back(p.faces[0]);
    p.faces.push_back(p.faces[0]);
    pending.push_back(std::move(p));
    if (static_cast<int>(pending.size()) == batch) {
      g.enroll(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) g.enroll(pending);
}

TEST_P(GalleryStore, KilledEnrollmentLosesAtMostTheBatchInFlight) {
  constexpr int kPhotos = 3000, kBatch = 10;
  Gallery reader(db());  // creates the schema; then reads while the child writes
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      enroll_all(db(), kPhotos, kBatch);
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  // Readers keep answering during enrollment: wait (reading) until some
  // batches are in, then kill the writer mid-stream.
  int64_t seen = 0;
  for (int polls = 0; seen < 100 && polls < 20000; ++polls) {
    seen = reader.photo_count("m");
    usleep(1000);
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed; raise kPhotos";
  ASSERT_GE(seen, 100);

  Gallery after(db());
  EXPECT_EQ(after.integrity_check(), "ok");
  const int64_t photos = after.photo_count("m");
  EXPECT_GE(photos, seen);
  EXPECT_LT(photos, kPhotos);
  EXPECT_EQ(photos % kBatch, 0) << "a batch was stored in part";
  EXPECT_EQ(after.vector_count("m"), 3 * photos) << "a photo was stored without all its faces";
  EXPECT_EQ(rows("thumbnails"), 3 * photos) << "a face was stored without its thumbnail";

  enroll_all(db(), kPhotos, kBatch);  // the rerun finishes the job
  EXPECT_EQ(after.photo_count("m"), kPhotos);
  EXPECT_EQ(after.vector_count("m"), 3 * kPhotos);
  EXPECT_EQ(rows("thumbnails"), 3 * kPhotos);
  EXPECT_EQ(after.people().size(), 17u);
  EXPECT_EQ(after.integrity_check(), "ok");
}

// Issue 14: two writers at once, enrolling overlapping photos (the same
// files, in opposite orders) into one gallery: the writers take turns, and
// every photo is stored once, with all its faces, whoever got there first.
TEST_P(GalleryStore, TwoConcurrentWritersStoreEachPhotoOnce) {
  constexpr int kPhotos = 300, kBatch = 7;
  Gallery(db()).add_person("placeholder");  // the schema, before the writers race
  pid_t writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = fork();
    ASSERT_GE(writers[w], 0);
    if (writers[w] == 0) {
      try {
        Gallery g(db());
        std::vector<PhotoEnrollment> pending;
        for (int k = 0; k < kPhotos; ++k) {
          const int i = w == 0 ? k : kPhotos - 1 - k;
          auto p = photo("person" + std::to_string(i % 11), "f" + std::to_string(i), "hash" + std::to_string(i),
                         float(i), "m", 64);
          p.faces[0].thumbnail = tiny_jpeg(i % 256);
          p.faces.push_back(p.faces[0]);
          pending.push_back(std::move(p));
          if (static_cast<int>(pending.size()) == kBatch || k == kPhotos - 1) {
            g.enroll(pending);
            pending.clear();
          }
        }
      } catch (...) {
        _exit(2);
      }
      _exit(0);
    }
  }
  for (pid_t writer : writers) {
    int status = 0;
    ASSERT_EQ(waitpid(writer, &status, 0), writer);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  Gallery g(db(), facekit::GalleryAccess::kReadOnly);
  EXPECT_EQ(g.photo_count("m"), kPhotos);
  EXPECT_EQ(g.vector_count("m"), 2 * kPhotos);
  EXPECT_EQ(rows("thumbnails"), 2 * kPhotos);
  EXPECT_EQ(std::stoll(raw_query("SELECT count(DISTINCT content_hash) FROM photos")), kPhotos);
  EXPECT_EQ(g.people().size(), 12u);
  std::set<float> firsts;
  for (const auto& v : g.vectors("m")) {
    EXPECT_EQ(v.identity, "person" + std::to_string(static_cast<int>(v.vector[0]) % 11));
    firsts.insert(v.vector[0]);
  }
  EXPECT_EQ(firsts.size(), static_cast<size_t>(kPhotos));
  EXPECT_TRUE(facekit::check_gallery(db()).ok());
}

// Issue 14, item 5: a row altered behind facekit's back (a vector holding
// another person's values, a photo moved to another person, a renamed
// person, a thumbnail's bytes) is an error naming the row, never an answer.
TEST_P(GalleryStore, ChecksumsCatchEveryAlteredRow) {
  struct Alteration {
    const char* what;
    const char* sql;
    const char* named;  // in the error of vectors() (or thumbnail())
  };
  const Alteration alterations[] = {
      {"vector values", "UPDATE vectors SET data = (SELECT data FROM vectors WHERE id = (SELECT max(id) FROM vectors)) "
                        "WHERE id = (SELECT min(id) FROM vectors)", "vector "},
      {"photo's person", "UPDATE photos SET person_id = (SELECT max(person_id) FROM photos) "
                         "WHERE id = (SELECT min(id) FROM photos)", "'s photo "},
      {"person's name", "UPDATE people SET name = name || name WHERE id = (SELECT min(id) FROM people)", "'s person "},
      {"box", "UPDATE vectors SET x = x + 1 WHERE id = (SELECT min(id) FROM vectors)", "vector "},
      {"thumbnail", "UPDATE thumbnails SET jpeg = (SELECT jpeg FROM thumbnails WHERE vector_id = "
                    "(SELECT max(vector_id) FROM thumbnails)) WHERE vector_id = (SELECT min(vector_id) FROM thumbnails)",
       "thumbnail of vector "},
  };
  for (const auto& alteration : alterations) {
    SCOPED_TRACE(alteration.what);
    db_ = another_db(std::string("altered-") + alteration.what + ".db");
    {
      Gallery g(db());
      auto ann = photo("Ann", "a.jpg", "ha", 1);
      ann.faces[0].thumbnail = tiny_jpeg(10);
      auto bob = photo("Bob", "b.jpg", "hb", 5);
      bob.faces[0].thumbnail = tiny_jpeg(200);
      g.enroll({ann, bob});
      const facekit::GalleryCheck sound = facekit::check_gallery(db());
      EXPECT_TRUE(sound.ok()) << sound.findings.front();
      EXPECT_EQ(sound.rows_verified, 8);  // 2 people, 2 photos, 2 vectors, 2 thumbnails
    }
    raw_query(alteration.sql);
    Gallery g(db(), facekit::GalleryAccess::kReadOnly);
    std::string message;
    try {
      const auto vectors = g.vectors("m");
      g.people();
      for (const auto& v : vectors) g.thumbnail(v.id);
    } catch (const facekit::Error& e) {
      message = e.what();
    }
    EXPECT_NE(message.find(alteration.named), std::string::npos) << "'" << message << "'";
    EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << message;
    const facekit::GalleryCheck report = facekit::check_gallery(db());
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.findings.front().find("checksum mismatch"), std::string::npos) << report.findings.front();
  }
}

TEST_P(GalleryStore, ReadOnlyNeverWritesNorCreates) {
  if (!postgres()) {
    EXPECT_THROW(Gallery(db(), facekit::GalleryAccess::kReadOnly), facekit::Error);
    EXPECT_FALSE(fs::exists(db()));
  }
  {
    Gallery g(db());
    g.enroll({photo("Ann", "a.jpg", "ha", 1)});
  }
  Gallery g(db(), facekit::GalleryAccess::kReadOnly);
  EXPECT_EQ(g.vectors("m").size(), 1u);
  EXPECT_THROW(g.enroll({photo("Bob", "b.jpg", "hb", 2)}), facekit::Error);
  EXPECT_THROW(g.add_person("Cy"), facekit::Error);
  EXPECT_THROW(g.rename_person("Ann", "Anna"), facekit::Error);
  EXPECT_THROW(g.remove_person("Ann"), facekit::Error);
  EXPECT_EQ(g.people(), std::vector<std::string>{"Ann"});
}

// Issue 14: the PostgreSQL server itself killed (SIGKILL) in the middle of
// an enrollment: the writer fails with an error (no crash, no hang), the
// restarted server holds whole batches only, and a rerun completes the job
// without a duplicate.
TEST(GalleryOnPostgres, ServerKilledMidBatchFailsCleanlyAndARerunCompletes) {
  const auto bindir = facekit::testing::PostgresServer::find_binaries();
  if (!bindir) GTEST_SKIP() << "PostgreSQL server binaries (initdb, postgres) not found: install Debian's postgresql";
  facekit::testing::PostgresServer server(*bindir);  // its own: this test kills it
  const std::string db = server.create_schema("killed");
  constexpr int kPhotos = 1000, kBatch = 10;
  Gallery(db).add_person("placeholder");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      enroll_all(db, kPhotos, kBatch);
    } catch (const facekit::Error&) {
      _exit(2);
    } catch (...) {
      _exit(3);
    }
    _exit(0);
  }
  int64_t seen = 0;
  for (int polls = 0; seen < 100 && polls < 20000; ++polls) {
    seen = std::stoll(facekit::testing::postgres_query(db, "SELECT count(*) FROM photos"));
    usleep(1000);
  }
  server.kill_server();
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed";
  ASSERT_EQ(WEXITSTATUS(status), 2) << "the writer did not fail with facekit::Error (0: it finished first)";
  ASSERT_GE(seen, 100);

  server.restart();
  Gallery after(db);
  const int64_t photos = after.photo_count("m");
  EXPECT_GE(photos, seen);
  EXPECT_LT(photos, kPhotos);
  EXPECT_EQ(photos % kBatch, 0) << "a batch was stored in part";
  EXPECT_EQ(after.vector_count("m"), 3 * photos) << "a photo was stored without all its faces";
  enroll_all(db, kPhotos, kBatch);
  EXPECT_EQ(after.photo_count("m"), kPhotos);
  EXPECT_EQ(after.vector_count("m"), 3 * kPhotos);
  EXPECT_EQ(std::stoll(facekit::testing::postgres_query(db, "SELECT count(DISTINCT content_hash) FROM photos")),
            kPhotos);
  EXPECT_TRUE(facekit::check_gallery(db).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, GalleryStore, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

}  // namespace
