// The model zoo: the manifest is complete and well-formed, and a missing or
// corrupt model is one clear error naming the model and the fix.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/zoo.h"
#include "testing.h"

namespace fs = std::filesystem;
using namespace facekit;

namespace {

// Points $FACEKIT_MODELS at a fresh temporary directory for one test.
class TempModelsDir {
 public:
  TempModelsDir() {
    char tmpl[] = "/tmp/facekit-zoo-test-XXXXXX";
    path_ = mkdtemp(tmpl);
    const char* old = std::getenv("FACEKIT_MODELS");
    if (old) old_ = old;
    setenv("FACEKIT_MODELS", path_.c_str(), 1);
  }
  ~TempModelsDir() {
    if (old_.empty()) unsetenv("FACEKIT_MODELS"); else setenv("FACEKIT_MODELS", old_.c_str(), 1);
    fs::remove_all(path_);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::string old_;
};

using facekit::testing::error_of;

}  // namespace

TEST(Zoo, ManifestPinsEveryFile) {
  const std::regex sha("^[0-9a-f]{64}$");
  std::set<std::string> ids;
  ASSERT_GE(zoo::models().size(), 30u);
  for (const auto& m : zoo::models()) {
    EXPECT_TRUE(ids.insert(m.id).second) << "duplicate id " << m.id;
    EXPECT_FALSE(m.version.empty()) << m.id;
    EXPECT_FALSE(m.files.empty()) << m.id;
    for (const auto& f : m.files) {
      EXPECT_TRUE(std::regex_match(f.sha256, sha)) << m.id << " " << f.path;
      EXPECT_GT(f.bytes, 0) << m.id << " " << f.path;
    }
    EXPECT_TRUE(m.format == "tflite" || m.format == "tfjs-graph" || m.format == "faceapi" || m.format == "images") << m.id;
    if (m.format != "images") {
      ASSERT_TRUE(m.card.contains("input")) << m.id;
      EXPECT_EQ(m.card["input"]["shape"].size(), 4u) << m.id;
      EXPECT_TRUE(m.card["input"].contains("mean") && m.card["input"].contains("std")) << m.id;
    }
  }
  // Every model DESIGN.md names is pinned.
  for (const char* id : {"mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite", "antispoof-dtn",
                         "blazeface-short", "blazeface-full", "faceapi-ssd-mobilenetv1", "faceapi-recognition",
                         "human-gear", "human-emotion", "human-faceres", "human-mobileface", "human-mobilefacenet",
                         "human-antispoof", "human-liveness"})
    EXPECT_TRUE(ids.count(id)) << id;
}

TEST(Zoo, UnknownModelListsTheKnownOnes) {
  const std::string msg = error_of([] { zoo::model("no-such-model"); });
  EXPECT_NE(msg.find("no-such-model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mtcnn-pnet"), std::string::npos) << msg;
}

TEST(Zoo, MissingModelNamesTheInstallCommand) {
  TempModelsDir dir;
  const std::string msg = error_of([] { zoo::require("mtcnn-rnet"); });
  EXPECT_NE(msg.find("mtcnn-rnet"), std::string::npos) << msg;
  EXPECT_NE(msg.find("facekit models install mtcnn-rnet"), std::string::npos) << msg;
  EXPECT_EQ(zoo::status(zoo::model("mtcnn-rnet")), zoo::Status::kMissing);
}

TEST(Zoo, CorruptModelIsDetected) {
  const auto& m = zoo::model("mtcnn-pnet");
  const fs::path installed = zoo::installed_path(m, m.files[0]);
  if (!fs::exists(installed)) GTEST_SKIP() << "mtcnn-pnet not installed: run `facekit models install`";
  TempModelsDir dir;
  fs::create_directories(dir.path() / m.id);
  const fs::path copy = zoo::installed_path(m, m.files[0]);
  fs::copy_file(installed, copy);
  EXPECT_EQ(zoo::status(m), zoo::Status::kInstalled);
  {
    std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x5a');  // one byte changed, same size
  }
  EXPECT_EQ(zoo::status(m), zoo::Status::kCorrupt);
  const std::string msg = error_of([] { zoo::require("mtcnn-pnet"); });
  EXPECT_NE(msg.find("corrupt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("facekit models install mtcnn-pnet"), std::string::npos) << msg;
}

TEST(Zoo, ChecksumOfAKnownFile) {
  TempModelsDir dir;
  const fs::path p = dir.path() / "abc.txt";
  std::ofstream(p) << "abc";
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(zoo::sha256_file(p), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
