// The gallery store: names round-trip exactly, people come and go without
// touching others, duplicates are recognised, and a killed enrollment leaves
// a consistent database that a rerun completes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "facekit/error.h"
#include "facekit/gallery.h"

namespace fs = std::filesystem;
using facekit::EnrollOutcome;
using facekit::Gallery;
using facekit::PhotoEnrollment;

namespace {

// A fresh directory per test, removed afterwards.
class GalleryStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("facekit_gallery_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path db() const { return dir_ / "people.db"; }
  fs::path dir_;
};

// A photo whose one face has a vector derived from `seed`.
PhotoEnrollment photo(const std::string& identity, const std::string& file, const std::string& hash,
                      float seed, const std::string& model = "m", int dim = 4) {
  PhotoEnrollment p{identity, file, hash, model, {}};
  std::vector<float> v(dim);
  for (int i = 0; i < dim; ++i) v[i] = seed + static_cast<float>(i);
  p.faces.push_back({cv::Rect2f(1, 2, 30, 40), v});
  return p;
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
};

TEST_F(GalleryStore, HostileNamesRoundTripExactly) {
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
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().rfind("people.db", 0), 0u) << entry.path();
}

TEST_F(GalleryStore, InvalidNamesAreRefusedAndNothingIsStored) {
  Gallery g(db());
  EXPECT_THROW(g.enroll({photo("ok", "a", "ha", 0), photo("", "b", "hb", 1)}), facekit::Error);
  EXPECT_THROW(g.add_person(std::string("nul\0byte", 8)), facekit::Error);
  auto bad = photo("ok", "c", "hc", 0);
  bad.faces[0].vector[1] = NAN;
  EXPECT_THROW(g.enroll({bad}), facekit::Error);
  EXPECT_EQ(g.photo_count(), 0);
  EXPECT_TRUE(g.people().empty());
}

TEST_F(GalleryStore, ProvenanceIsKept) {
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

TEST_F(GalleryStore, AddRenameRemoveLeaveOthersAlone) {
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

TEST_F(GalleryStore, DuplicatesAndChangedFiles) {
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

TEST_F(GalleryStore, ModelsAreKeptApartAndDimensionsChecked) {
  Gallery g(db());
  g.enroll({photo("Ann", "a", "h", 1, "m4", 4), photo("Ann", "a", "h", 1, "m8", 8)});
  EXPECT_EQ(g.models(), (std::vector<std::string>{"m4", "m8"}));
  EXPECT_EQ(g.vectors("m8")[0].vector.size(), 8u);
  EXPECT_THROW(g.enroll({photo("Bob", "b", "hb", 1, "m4", 8)}), facekit::Error);
  EXPECT_FALSE(g.has_person("Bob"));  // the failed batch left nothing
}

TEST_F(GalleryStore, FacelessPhotosAreRemembered) {
  Gallery g(db());
  g.enroll({PhotoEnrollment{"Ann", "blank.png", "hb", "m", {}}});
  EXPECT_TRUE(g.contains_photo("m", "hb"));
  EXPECT_EQ(g.vector_count("m"), 0);
}

TEST_F(GalleryStore, RefusesForeignDatabasesAndNewerSchemas) {
  { std::ofstream(dir_ / "junk.db") << "this is not a database, just some text that is long enough to matter"; }
  EXPECT_THROW(Gallery(dir_ / "junk.db"), facekit::Error);
  EXPECT_THROW(Gallery(dir_ / "missing-dir" / "x.db"), facekit::Error);
  {
    Gallery g(db());
    EXPECT_EQ(g.schema_version(), Gallery::kSchemaVersion);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_THROW(Gallery{db()}, facekit::Error);
}

TEST_F(GalleryStore, ContentHashIsSha256OfTheBytes) {
  { std::ofstream(dir_ / "abc.txt") << "abc"; }
  EXPECT_EQ(facekit::content_hash(dir_ / "abc.txt"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(facekit::content_hash(dir_ / "nope"), facekit::Error);
}

// The enrollment a child process runs: `photos` photos of 3 faces each, in
// batches of `batch`, skipping those already stored (as the CLI does).
void enroll_all(const fs::path& db, int photos, int batch) {
  Gallery g(db);
  std::vector<PhotoEnrollment> pending;
  for (int i = 0; i < photos; ++i) {
    const std::string hash = "hash" + std::to_string(i);
    if (g.contains_photo("m", hash)) continue;
    auto p = photo("person" + std::to_string(i % 17), "f" + std::to_string(i), hash, float(i), "m", 128);
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

TEST_F(GalleryStore, KilledEnrollmentLosesAtMostTheBatchInFlight) {
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

  enroll_all(db(), kPhotos, kBatch);  // the rerun finishes the job
  EXPECT_EQ(after.photo_count("m"), kPhotos);
  EXPECT_EQ(after.vector_count("m"), 3 * kPhotos);
  EXPECT_EQ(after.people().size(), 17u);
  EXPECT_EQ(after.integrity_check(), "ok");
}

}  // namespace
