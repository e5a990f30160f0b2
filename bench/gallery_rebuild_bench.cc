// What a restarted `facekit serve` node spends rebuilding its index from a
// PostgreSQL gallery: reading every vector (checksums verified) and building
// the exact index over them, as Engine::find does on its first search.
//   gallery_rebuild_bench N [DIMENSION]
// Starts a private PostgreSQL server (loopback: a unix socket only, deleted
// at the end), fills a gallery with N synthetic unit vectors of one person
// each, in one COPY per table (rows sealed with their checksums, as
// Gallery::enroll seals them), then times the rebuild twice.
#include <chrono>
#include <cstdio>
#include <string>

#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "postgres_server.h"
#include "synthetic_gallery.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s N [DIMENSION]\n", argv[0]);
    return 2;
  }
  const int64_t n = std::stoll(argv[1]);
  const int dimension = argc > 2 ? std::stoi(argv[2]) : 128;
  const auto bindir = facekit::testing::PostgresServer::find_binaries();
  if (!bindir) {
    std::fprintf(stderr, "PostgreSQL's server binaries are not installed\n");
    return 77;
  }
  facekit::testing::PostgresServer server(*bindir);
  const std::string uri = server.create_schema("bench");
  facekit::Gallery{uri};  // the schema
  const std::string model = "synthetic";

  auto start = Clock::now();
  facekit::bench::fill_synthetic_gallery(uri, n, dimension, model);
  std::printf("filled %lld vectors × %d in %.1f s\n", static_cast<long long>(n), dimension, seconds_since(start));

  for (int run = 1; run <= 2; ++run) {
    start = Clock::now();
    const facekit::Gallery gallery(uri, facekit::GalleryAccess::kReadOnly);
    const std::vector<facekit::StoredVector> vectors = gallery.vectors(model);
    const double read = seconds_since(start);
    facekit::IdentifyOptions options;
    options.threshold = 0.5;
    const facekit::Identifier identifier(vectors, options);
    std::printf("rebuild %d: %zu vectors read in %.2f s, index built in %.2f s, total %.2f s\n", run, vectors.size(),
                read, seconds_since(start) - read, seconds_since(start));
  }
  return 0;
}
