// A PostgreSQL gallery filled with synthetic vectors for the benchmarks:
// N people of one photo and one unit vector each, streamed in one COPY per
// table (rows sealed with their checksums, as Gallery::enroll seals them).
#pragma once

#include <libpq-fe.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gallery/row_checksum.h"

namespace facekit::bench {

inline std::string hex(std::string_view bytes) {
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

// A direction drawn uniformly: `dimension` standard normals, normalised.
inline std::vector<float> random_unit_vector(int dimension, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(dimension));
  double norm = 0;
  for (float& x : v) {
    x = normal(rng);
    norm += double{x} * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

// Fills the (empty) gallery at `uri` with `n` people named person-1... of
// one photo and one random unit vector of `dimension` each, model `model`;
// ids 1..n in every table (the tables' own sequences are moved past them).
inline void fill_synthetic_gallery(const std::string& uri, int64_t n, int dimension, const std::string& model) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::mt19937 random(7);
  copy(conn, "people(id, name, checksum)", n, [&](int64_t i) {
    const std::string name = "person-" + std::to_string(i);
    return std::to_string(i) + "\t" + hex(name) + "\t" + std::to_string(store::person_checksum(i, name)) + "\n";
  });
  copy(conn, "photos(id, person_id, model, file, content_hash, enrolled_at, checksum)", n, [&](int64_t i) {
    const std::string file = "photo-" + std::to_string(i), hash = std::to_string(i);
    return std::to_string(i) + "\t" + std::to_string(i) + "\t" + hex(model) + "\t" + hex(file) + "\t" + hex(hash) +
           "\t0\t" + std::to_string(store::photo_checksum(i, i, model, file, hash, 0)) + "\n";
  });
  copy(conn, "vectors(id, photo_id, x, y, width, height, dimension, data, checksum)", n, [&](int64_t i) {
    const std::vector<float> v = random_unit_vector(dimension, random);
    const std::string_view data(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
    const auto bytes = std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    return std::to_string(i) + "\t" + std::to_string(i) + "\t0\t0\t1\t1\t" + std::to_string(dimension) + "\t" +
           hex(data) + "\t" + std::to_string(store::vector_checksum(i, i, 0, 0, 1, 1, dimension, bytes)) + "\n";
  });
  for (const char* table : {"people", "photos", "vectors"})
    PQclear(PQexec(conn, ("SELECT setval(pg_get_serial_sequence('" + std::string(table) + "', 'id'), " +
                          std::to_string(n) + ")").c_str()));
  PQclear(PQexec(conn, "ANALYZE"));
  PQfinish(conn);
}

}  // namespace facekit::bench
