// eval::EmbeddingCache (include/facekit/embedding_cache.h): a second run is
// answered from the file, exactly; a changed image, a torn line are embedded
// again; a file of another configuration is refused.
#include <gtest/gtest.h>

#include <fstream>

#include "facekit/embedding_cache.h"
#include "facekit/error.h"
#include "temp_dir.h"

namespace facekit::eval {
namespace {

namespace fs = std::filesystem;

TEST(EmbeddingCache, AnswersASecondRunFromTheFileExactly) {
  const testing::TempDir dir("embedding_cache");
  const fs::path a = dir.path / "a.jpg", b = dir.path / "b.jpg";
  std::ofstream(a) << "image a";
  std::ofstream(b) << "image b, no face";
  int calls = 0;
  const std::vector<float> vector{0.1f, -3.4028235e38f, 1.17549435e-38f, 0.333333343f};
  const EmbedImage embed = [&](const fs::path& image) -> std::optional<ImageEmbedding> {
    ++calls;
    if (image == b) return std::nullopt;
    return ImageEmbedding{vector, false};
  };
  {
    EmbeddingCache cache(dir.path / "cache", "model x detector y");
    const EmbedImage cached = cache.wrap(embed);
    EXPECT_EQ(cached(a)->embedding, vector);
    EXPECT_FALSE(cached(b).has_value());
    EXPECT_EQ(cache.misses(), 2);
  }
  EmbeddingCache again(dir.path / "cache", "model x detector y");
  const EmbedImage cached = again.wrap(embed);
  const auto got = cached(a);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->embedding, vector) << "every float written back bit for bit";
  EXPECT_FALSE(got->face_found);
  EXPECT_FALSE(cached(b).has_value()) << "no face is remembered too";
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(again.hits(), 2);

  // Another configuration: its own file.
  EmbeddingCache other(dir.path / "cache", "model z detector y");
  EXPECT_NE(other.file(), again.file());
  other.wrap(embed)(a);
  EXPECT_EQ(calls, 3);
}

TEST(EmbeddingCache, AChangedImageOrATornLineIsEmbeddedAgain) {
  const testing::TempDir dir("embedding_cache");
  const fs::path a = dir.path / "a.jpg", b = dir.path / "b.jpg";
  std::ofstream(a) << "image a";
  std::ofstream(b) << "image b";
  int calls = 0;
  const EmbedImage embed = [&](const fs::path&) -> std::optional<ImageEmbedding> {
    ++calls;
    return ImageEmbedding{{1, 2, 3}, true};
  };
  fs::path file;
  {
    EmbeddingCache cache(dir.path, "c");
    cache.wrap(embed)(a);
    cache.wrap(embed)(b);
    file = cache.file();
  }
  std::ofstream(a) << "image a, edited";  // another size
  {
    std::ofstream torn(file, std::ios::app);
    torn << fs::absolute(dir.path / "c.jpg").string() << "\t12\t";  // an interrupted run's last line
  }
  std::ofstream(dir.path / "c.jpg") << "image c";
  EmbeddingCache cache(dir.path, "c");
  cache.wrap(embed)(a);
  cache.wrap(embed)(b);
  cache.wrap(embed)(dir.path / "c.jpg");
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_EQ(calls, 4);
  // What was embedded after the torn line is kept on its own line.
  EmbeddingCache reread(dir.path, "c");
  reread.wrap(embed)(a);
  reread.wrap(embed)(dir.path / "c.jpg");
  EXPECT_EQ(reread.hits(), 2);
  EXPECT_EQ(calls, 4);
}

TEST(EmbeddingCache, RefusesAFileOfAnotherConfiguration) {
  const testing::TempDir dir("embedding_cache");
  fs::path file;
  {
    EmbeddingCache cache(dir.path, "mine");
    file = cache.file();
  }
  std::ofstream(file) << "someone else's\n";
  try {
    EmbeddingCache cache(dir.path, "mine");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(EmbeddingCache(dir.path, "two\nlines"), Error);
}

}  // namespace
}  // namespace facekit::eval
