// One facekit::Engine called from many threads at once (verify, represent, find,
// and the first loads of every model racing) gives each thread exactly the
// answer a lone caller gets. Also run under ThreadSanitizer (a build with
// -DCMAKE_CXX_FLAGS=-fsanitize=thread, this target only, run with
// TSAN_OPTIONS=suppressions=tests/tsan.supp), where a data race in the
// engine's caches or pools fails it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "facekit/engine.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

TEST(EngineConcurrencyTest, ManyThreadsGetWhatOneThreadGets) {
  for (const char* id : {"faceapi-samples", "faceapi-ssd-mobilenetv1", "faceapi-landmark68", "mobilefacenet-tflite"})
    if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
  const fs::path samples = testing::zoo_model("faceapi-samples")->parent_path();
  const testing::TempDir dir("engine_concurrency");
  for (int n : {1, 2, 3}) {
    fs::create_directories(dir.path / "people" / ("P" + std::to_string(n)));
    fs::copy_file(samples / ("sample" + std::to_string(n) + ".jpg"),
                  dir.path / "people" / ("P" + std::to_string(n)) / "a.jpg");
  }
  std::vector<NamedImage> images;
  for (int n : {1, 2, 3}) images.push_back(read_named_image((samples / ("sample" + std::to_string(n) + ".jpg")).string()));

  // What a lone caller gets, from an engine of its own.
  Engine alone({.threads = 1});
  EnrollRequest enroll;
  enroll.folder = (dir.path / "people").string();
  enroll.db = (dir.path / "people.db").string();
  enroll.jobs = 1;
  ASSERT_EQ(alone.enroll(enroll).added, 3);
  FindRequest find;
  find.db = enroll.db;
  std::vector<RepresentResult> represented;
  std::vector<FindResult> found;
  for (const NamedImage& image : images) {
    represented.push_back(alone.represent(image, {}));
    found.push_back(alone.find(image, find));
  }
  const VerifyResult verified = alone.verify(images[0], images[1], {});

  // Many threads on one engine, each starting on another verb so that the
  // first loads of every model race too.
  Engine shared({.threads = 1});
  constexpr int kThreads = 4, kRounds = 2;
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        for (int round = 0; round < kRounds; ++round) {
          const size_t i = static_cast<size_t>(t + round) % images.size();
          switch ((t + round) % 3) {
            case 0: {
              const RepresentResult r = shared.represent(images[i], {});
              if (r.faces.size() != represented[i].faces.size()) ++mismatches;
              for (size_t f = 0; f < std::min(r.faces.size(), represented[i].faces.size()); ++f)
                if (r.faces[f].embedding != represented[i].faces[f].embedding) ++mismatches;
              break;
            }
            case 1: {
              const FindResult r = shared.find(images[i], find);
              if (r.faces.size() != found[i].faces.size()) ++mismatches;
              for (size_t f = 0; f < std::min(r.faces.size(), found[i].faces.size()); ++f)
                if (r.faces[f].identification.identity != found[i].faces[f].identification.identity ||
                    r.faces[f].identification.distance != found[i].faces[f].identification.distance)
                  ++mismatches;
              break;
            }
            default: {
              const VerifyResult r = shared.verify(images[0], images[1], {});
              if (r.decision.distance != verified.decision.distance || r.decision.verified != verified.decision.verified)
                ++mismatches;
            }
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "thread " << t << ": " << e.what();
        ++errors;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(mismatches, 0);
}

// A model pool keeps its factory and loads more instances when callers
// overlap, long after the request that first made the pool is gone (as in a
// server, where each request is a new object): the factory must not refer
// to that request. Found by `facekit serve`: concurrent requests after a
// first one failed with std::bad_alloc or crashed.
TEST(EngineConcurrencyTest, LaterInstancesDoNotNeedTheFirstRequest) {
  for (const char* id : {"faceapi-recognition", "faceapi-landmark68"})
    if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
  const NamedImage crop = read_named_image(FACEKIT_SOURCE_DIR "/tests/golden/embed/sample1-150.png");
  Engine engine({.threads = 1});
  const std::vector<float> expected = [&] {
    auto first = std::make_unique<RecognitionRequest>();
    first->model = "faceapi";
    first->no_detect = true;
    std::vector<float> embedding = engine.embed(crop, *first, true).at(0).embedding;
    first->model.assign(64, 'x');  // what a reused allocation might hold
    first->landmarker.assign(64, 'y');
    return embedding;
  }();
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        try {
          RecognitionRequest request;
          request.model = "faceapi";
          request.no_detect = true;
          if (engine.embed(crop, request, true).at(0).embedding != expected) ++mismatches;
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++errors;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace facekit
