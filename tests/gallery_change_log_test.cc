// The change log (change_feed.h) on a private PostgreSQL server: a follower
// that missed any number of writes reads exactly the vectors they touched
// (checked against the ids the gallery's own writes reported), and is told
// to read everything again when the log cannot say: trimmed past it, a
// table truncated, more changes than it asked for, or the gallery behind it.
#include <gtest/gtest.h>

#include <set>

#include "facekit/change_feed.h"
#include "facekit/gallery.h"
#include "postgres_server.h"
#include "testing.h"

namespace facekit {
namespace {

PhotoEnrollment photo(const std::string& identity, const std::string& hash, int faces) {
  PhotoEnrollment p;
  p.identity = identity;
  p.file = hash + ".jpg";
  p.content_hash = hash;
  p.model = "m";
  for (int f = 0; f < faces; ++f) {
    FaceVector v;
    v.box = cv::Rect2f(0, 0, 1, 1);
    v.vector = {1.f, static_cast<float>(f), 0.5f};
    p.faces.push_back(v);
  }
  return p;
}

std::set<int64_t> as_set(const std::vector<int64_t>& ids) { return {ids.begin(), ids.end()}; }

TEST(ChangeLog, AFollowerBehindReadsExactlyTheVectorsTouched) {
  testing::PostgresServer* server = testing::shared_postgres_server();
  if (!server) GTEST_SKIP() << "PostgreSQL's server binaries (initdb, postgres) are not installed";
  const std::string db = server->create_schema("change_log");
  Gallery gallery(db);
  const auto before_feed = gallery.enroll({photo("Old", "old", 1)});
  install_change_feed(db);
  ChangeLog log(db);
  const int64_t start = log.since(0, 0).to.sequence;
  EXPECT_EQ(start, 0);

  const auto ann = gallery.enroll({photo("Ann", "a1", 2)}).front().vector_ids;
  const auto bea = gallery.enroll({photo("Bea", "b1", 1), photo("Bea", "b2", 1)});
  gallery.add_person("Dee");  // no vectors: nothing to apply
  const GalleryChanges added = log.since(start, 100);
  ASSERT_TRUE(added.complete);
  EXPECT_EQ(as_set(added.vector_ids),
            (std::set<int64_t>{ann[0], ann[1], bea[0].vector_ids[0], bea[1].vector_ids[0]}));
  EXPECT_GT(added.to.sequence, start);  // one per statement that touched vectors
  EXPECT_GT(added.to.wal, 0u);

  gallery.remove_photo_of(bea[1].vector_ids[0]);  // a cascade from photos
  gallery.rename_person("Ann", "Cy");             // people: their vectors
  gallery.remove_person("Old");                   // a cascade from people
  const GalleryChanges later = log.since(added.to.sequence, 100);
  ASSERT_TRUE(later.complete);
  EXPECT_EQ(as_set(later.vector_ids),
            (std::set<int64_t>{bea[1].vector_ids[0], ann[0], ann[1], before_feed[0].vector_ids[0]}));
  const GalleryChanges everything = log.since(start, 100);  // far behind, but within the log
  ASSERT_TRUE(everything.complete);
  EXPECT_EQ(everything.vector_ids.size(), 5u);

  const GalleryChanges none = log.since(later.to.sequence, 100);
  EXPECT_TRUE(none.complete);
  EXPECT_TRUE(none.vector_ids.empty());

  EXPECT_FALSE(log.since(start, 4).complete) << "more changed vectors than asked for";
  EXPECT_TRUE(log.since(start, 4).vector_ids.empty());
  EXPECT_FALSE(log.since(later.to.sequence + 5, 100).complete) << "a follower ahead of the gallery";

  // Trimmed past the follower: it must read everything.
  testing::postgres_query(db, "DELETE FROM facekit_change_log WHERE sequence <= " + std::to_string(start + 1));
  EXPECT_FALSE(log.since(start, 100).complete);
  EXPECT_TRUE(log.since(start + 1, 100).complete);

  testing::postgres_query(db, "TRUNCATE vectors CASCADE");
  const GalleryChanges truncated = log.since(later.to.sequence, 100);
  EXPECT_FALSE(truncated.complete);
  EXPECT_GT(truncated.to.sequence, later.to.sequence);
}

TEST(ChangeLog, UnreachableDatabaseNamedWithoutItsPassword) {
  ChangeLog log("postgresql:///none?host=/nonexistent&password=secret");
  const std::string error = testing::error_of([&] { log.since(0, 10); });
  EXPECT_EQ(error.rfind("postgresql:///none?host=/nonexistent&password=***: cannot connect: ", 0), 0u) << error;
}

}  // namespace
}  // namespace facekit
