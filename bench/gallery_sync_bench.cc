// How long after an enrollment on node A is acknowledged node B can search
// it, over one PostgreSQL gallery of N vectors: before (B forgets its index
// at each change and rebuilds it from the database, as serve did) and now
// (B reads the change log and updates its index in place). B's steps are
// those of GallerySync and Engine::update_gallery (ChangeFeed wake-up,
// ChangeLog::since, Gallery::vectors_with_ids, Identifier::update), run in
// this process without HTTP or a recognizer; A's write is Gallery::enroll.
//   gallery_sync_bench N [INDEX] [ROUNDS] [REBUILD_ROUNDS]
// INDEX: exact (default), hnsw, ... (index.h). Each round enrolls a new
// person, waits until B finds them (distance 0), then removes them and waits
// until B no longer does. The rebuild runs REBUILD_ROUNDS rounds (2; 0:
// not measured, it is slow at large N: gallery_rebuild_bench times it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "facekit/change_feed.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "postgres_server.h"
#include "synthetic_gallery.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

// Node B: its index of one model, the feed it follows and how it applies it.
struct Follower {
  std::string uri, model;
  facekit::IdentifyOptions options;
  bool in_place = true;
  facekit::ChangeFeed feed{uri};
  facekit::ChangeLog log{uri};
  facekit::Gallery gallery{uri, facekit::GalleryAccess::kReadOnly};
  std::optional<facekit::Identifier> identifier;
  int64_t applied = 0;
  int rebuilds = 0, updates = 0;

  Follower(std::string u, std::string m, facekit::IdentifyOptions o, bool incremental)
      : uri(std::move(u)), model(std::move(m)), options(std::move(o)), in_place(incremental) {
    applied = log.since(0, 0).to.sequence;
    feed.next(0ms);
    identifier.emplace(gallery.vectors(model), options);
  }

  // Waits for the next change and applies it.
  void follow() {
    if (!feed.next(1000ms)) return;
    if (!in_place) {
      identifier.emplace(gallery.vectors(model), options);
      ++rebuilds;
      return;
    }
    const facekit::GalleryChanges changes = log.since(applied, 10'000);
    if (!changes.complete) {
      identifier.emplace(gallery.vectors(model), options);
      ++rebuilds;
    } else if (!changes.vector_ids.empty()) {
      identifier->update(changes.vector_ids, gallery.vectors_with_ids(model, changes.vector_ids));
      ++updates;
    }
    applied = changes.to.sequence;
  }

  bool finds(const std::vector<float>& face, const std::string& name) {
    const auto id = identifier->identify(face, 1);
    return id.identity && *id.identity == name;
  }
};

struct Timings {
  std::vector<double> enrolled, removed;
};

Timings measure(Follower& b, facekit::Gallery& a, int dimension, int rounds, const std::string& model) {
  std::mt19937 rng(99);
  Timings t;
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "newcomer-" + std::to_string(round) + (b.in_place ? "-i" : "-r");
    facekit::PhotoEnrollment photo;
    photo.identity = name;
    photo.file = photo.content_hash = name;
    photo.model = model;
    photo.faces.push_back({cv::Rect2f(0, 0, 1, 1), facekit::bench::random_unit_vector(dimension, rng), {}});
    const int64_t id = a.enroll({photo}).front().vector_ids.front();
    auto acknowledged = Clock::now();
    while (!b.finds(photo.faces[0].vector, name)) b.follow();
    t.enrolled.push_back(ms_since(acknowledged));
    a.remove_photo_of(id);
    acknowledged = Clock::now();
    while (b.finds(photo.faces[0].vector, name)) b.follow();
    t.removed.push_back(ms_since(acknowledged));
  }
  return t;
}

void report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("  %-9s median %9.1f ms, max %9.1f ms (%zu rounds)\n", what, ms[ms.size() / 2], ms.back(), ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s N [INDEX] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int64_t n = std::stoll(argv[1]);
  const std::string index = argc > 2 ? argv[2] : "exact";
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 20;
  const int rebuild_rounds = argc > 4 ? std::stoi(argv[4]) : 2;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each result as it comes
  constexpr int kDimension = 128;
  const auto bindir = facekit::testing::PostgresServer::find_binaries();
  if (!bindir) {
    std::fprintf(stderr, "PostgreSQL's server binaries are not installed\n");
    return 77;
  }
  try {
    facekit::testing::PostgresServer server(*bindir);
    const std::string uri = server.create_schema("bench");
    facekit::Gallery a(uri);
    const std::string model = "synthetic";
    auto start = Clock::now();
    facekit::bench::fill_synthetic_gallery(uri, n, kDimension, model);
    facekit::install_change_feed(uri);
    std::printf("filled %lld vectors x %d in %.1f s; index %s\n", static_cast<long long>(n), kDimension,
                ms_since(start) / 1000, index.c_str());
    facekit::IdentifyOptions options;
    options.threshold = 0.5;
    options.index = index;
    for (const bool in_place : {true, false}) {
      if (!in_place && rebuild_rounds == 0) break;
      start = Clock::now();
      Follower b(uri, model, options, in_place);
      std::printf("%s (first build %.1f s)\n", in_place ? "in place" : "rebuild", ms_since(start) / 1000);
      const Timings t = measure(b, a, kDimension, in_place ? rounds : rebuild_rounds, model);
      report("enrolled", t.enrolled);
      report("removed", t.removed);
      std::printf("  B: %d in-place updates, %d rebuilds\n", b.updates, b.rebuilds);
    }
  } catch (const facekit::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
