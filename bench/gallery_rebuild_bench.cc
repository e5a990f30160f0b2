// What a restarted `facekit serve` node spends rebuilding its index from a
// PostgreSQL gallery: reading every vector (checksums verified) and building
// the exact index over them, as Engine::find does on its first search.
//   gallery_rebuild_bench N [DIMENSION]
// Starts a private PostgreSQL server (loopback: a unix socket only, deleted
// at the end), fills a gallery with N synthetic unit vectors of one person
// each, in one COPY per table (rows sealed with their checksums, as
// Gallery::enroll seals them), then times the rebuild twice.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "gallery/row_checksum.h"
#include "postgres_server.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out = "\\\\x";  // bytea's hex form, its backslash escaped for COPY's text format
  for (const unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Streams `rows` (COPY text lines made by `line(i)`) into `table`.
template <typename Line>
void copy(PGconn* conn, const std::string& table, int64_t rows, Line line) {
  PQclear(PQexec(conn, ("COPY " + table + " FROM STDIN").c_str()));
  std::string chunk;
  for (int64_t i = 1; i <= rows; ++i) {
    chunk += line(i);
    if (chunk.size() > (1 << 20) || i == rows) {
      if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) != 1) throw std::runtime_error(PQerrorMessage(conn));
      chunk.clear();
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) throw std::runtime_error(PQerrorMessage(conn));
  PGresult* result = PQgetResult(conn);
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string message = PQresultErrorMessage(result);
  PQclear(result);
  while ((result = PQgetResult(conn))) PQclear(result);
  if (!ok) throw std::runtime_error(table + ": " + message);
}

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
  PGconn* conn = PQconnectdb(uri.c_str());
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  copy(conn, "people(id, name, checksum)", n, [&](int64_t i) {
    const std::string name = "person-" + std::to_string(i);
    return std::to_string(i) + "\t" + hex(name) + "\t" + std::to_string(facekit::store::person_checksum(i, name)) + "\n";
  });
  copy(conn, "photos(id, person_id, model, file, content_hash, enrolled_at, checksum)", n, [&](int64_t i) {
    const std::string file = "photo-" + std::to_string(i), hash = std::to_string(i);
    return std::to_string(i) + "\t" + std::to_string(i) + "\t" + hex(model) + "\t" + hex(file) + "\t" + hex(hash) +
           "\t0\t" + std::to_string(facekit::store::photo_checksum(i, i, model, file, hash, 0)) + "\n";
  });
  std::vector<float> v(static_cast<size_t>(dimension));
  copy(conn, "vectors(id, photo_id, x, y, width, height, dimension, data, checksum)", n, [&](int64_t i) {
    double norm = 0;
    for (float& x : v) {
      x = normal(random);
      norm += x * x;
    }
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    const std::string_view data(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
    const auto bytes = std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    return std::to_string(i) + "\t" + std::to_string(i) + "\t0\t0\t1\t1\t" + std::to_string(dimension) + "\t" +
           hex(data) + "\t" + std::to_string(facekit::store::vector_checksum(i, i, 0, 0, 1, 1, dimension, bytes)) + "\n";
  });
  PQclear(PQexec(conn, "ANALYZE"));
  PQfinish(conn);
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
