// The gallery on PostgreSQL through libpq: parameters and results travel in
// binary (no quoting, no text conversion), names as bytea (byte for byte,
// as SQLite keeps them), one transaction per batch serialised among writers
// by an advisory lock, the schema version in table facekit_schema.
#include <endian.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "gallery/gallery_backend.h"

namespace facekit::store {
namespace {

// Type OIDs of pg_type (fixed in every PostgreSQL).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

}  // namespace
}  // namespace facekit::store

namespace facekit {

std::string masked_location(const std::string& uri) {
  std::string out = uri;
  const size_t start = out.find("://");
  if (start != std::string::npos) {
    const size_t host = start + 3;
    const size_t end = std::min(out.find_first_of("/?", host), out.size());
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= host) {
      const size_t colon = out.find(':', host);
      if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t key = out.find("password="); key != std::string::npos; key = out.find("password=", key + 1)) {
    const size_t value = key + 9;
    const size_t end = std::min(out.find('&', value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

}  // namespace facekit

namespace facekit::store {
namespace {

// libpq's messages end with a newline.
std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

template <typename T>
T big_endian(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  if constexpr (sizeof(T) == 8) return static_cast<T>(be64toh(static_cast<uint64_t>(value)));
  if constexpr (sizeof(T) == 4) return static_cast<T>(be32toh(static_cast<uint32_t>(value)));
  if constexpr (sizeof(T) == 2) return static_cast<T>(be16toh(static_cast<uint16_t>(value)));
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresBackend;

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PostgresBackend& db, std::string sql) : db_(db), sql_(std::move(sql)) {}

  Statement& bind(int index, int64_t value) override {
    const uint64_t wire = htobe64(static_cast<uint64_t>(value));
    return set(index, kInt8, &wire, sizeof wire);
  }
  Statement& bind(int index, double value) override {
    const uint64_t wire = htobe64(std::bit_cast<uint64_t>(value));
    return set(index, kFloat8, &wire, sizeof wire);
  }
  Statement& bind(int index, const std::string& text) override {
    return set(index, kBytea, text.data(), text.size());
  }
  Statement& bind_blob(int index, std::span<const uint8_t> bytes) override {
    return set(index, kBytea, bytes.data(), bytes.size());
  }
  bool step() override;
  void reset() override {
    result_.reset();
    values_.clear();
    types_.clear();
  }

  int64_t integer(int column) const override {
    const char* p = value(column);
    if (!p) return 0;
    switch (PQftype(result_.get(), column)) {
      case kInt8: return big_endian<int64_t>(p);
      case kInt4: return big_endian<int32_t>(p);
      case kInt2: return big_endian<int16_t>(p);
      case kBool: return *p != 0;
      default: throw Error(name() + ": column " + std::to_string(column) + " is not an integer");
    }
  }
  double real(int column) const override {
    const char* p = value(column);
    if (!p) return 0;
    switch (PQftype(result_.get(), column)) {
      case kFloat8: return std::bit_cast<double>(big_endian<uint64_t>(p));
      case kFloat4: return std::bit_cast<float>(big_endian<uint32_t>(p));
      default: throw Error(name() + ": column " + std::to_string(column) + " is not a floating-point number");
    }
  }
  // bytea and text alike arrive as their bytes (binary results).
  std::string text(int column) const override {
    const char* p = value(column);
    return p ? std::string(p, static_cast<size_t>(PQgetlength(result_.get(), row_, column))) : std::string();
  }
  std::vector<uint8_t> blob(int column) const override {
    const auto* p = reinterpret_cast<const uint8_t*>(value(column));
    return p ? std::vector<uint8_t>(p, p + PQgetlength(result_.get(), row_, column)) : std::vector<uint8_t>();
  }

 private:
  Statement& set(int index, Oid type, const void* bytes, size_t size) {
    check(index >= 1 && index <= 64, name(), "parameter $" + std::to_string(index) + " out of range");
    if (values_.size() < static_cast<size_t>(index)) {
      values_.resize(index);
      types_.resize(index, 0);
    }
    values_[index - 1].assign(static_cast<const char*>(bytes), size);
    types_[index - 1] = type;
    return *this;
  }
  // The current row's value, null for SQL NULL.
  const char* value(int column) const {
    return PQgetisnull(result_.get(), row_, column) ? nullptr : PQgetvalue(result_.get(), row_, column);
  }
  const std::string& name() const;

  PostgresBackend& db_;
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  Result result_;
  int row_ = 0;
};

class PostgresBackend final : public Backend {
 public:
  PostgresBackend(const std::string& uri, bool read_only)
      : name_(masked_location(uri)), read_only_(read_only), conn_(PQconnectdb(uri.c_str())) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      const std::string reason = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
      PQfinish(conn_);
      throw Error(name_ + ": cannot connect: " + reason);
    }
    // The server's notices ("... does not exist, skipping") are not errors.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    if (read_only) {
      try {
        exec("SET default_transaction_read_only = on");
      } catch (...) {
        PQfinish(conn_);
        throw;
      }
    }
  }
  ~PostgresBackend() override { PQfinish(conn_); }

  const std::string& name() const override { return name_; }
  const Dialect& dialect() const override {
    static const Dialect postgres{"BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT",
                                  "DOUBLE PRECISION", "BYTEA", "BYTEA"};
    return postgres;
  }

  void exec(const std::string& sql) override { expect(Result(PQexec(conn_, sql.c_str())), "exec"); }

  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    return std::make_unique<PostgresStatement>(*this, sql);
  }

  // READ COMMITTED: after the lock, every statement sees all that the
  // previous writer committed, so duplicate checks cannot race.
  void begin_write() override {
    check(!read_only_, name_, "opened read-only: cannot write");
    exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kPostgresWriteLock) + ")");
  }

  int schema_version() override {
    auto exists = prepare(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'facekit_schema'");
    exists->step();
    if (exists->integer(0) == 0) return 0;
    auto q = prepare("SELECT max(version) FROM facekit_schema");
    q->step();
    return static_cast<int>(q->integer(0));
  }
  void set_schema_version(int version) override {
    exec("CREATE TABLE IF NOT EXISTS facekit_schema (version INTEGER NOT NULL); DELETE FROM facekit_schema;");
    prepare("INSERT INTO facekit_schema(version) VALUES ($1)")->bind(1, int64_t{version}).run();
  }

  bool has_other_tables() override {
    auto q = prepare("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
    q->step();
    return q->integer(0) > 0;
  }

  // The server keeps its own files consistent; what the gallery can check is
  // that every row's parent exists (as SQLite's foreign_key_check does).
  std::string integrity_check() override {
    auto q = prepare(
        "SELECT 'photos' FROM photos c WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = c.person_id) "
        "UNION SELECT 'vectors' FROM vectors c WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = c.photo_id) "
        "UNION SELECT 'thumbnails' FROM thumbnails c "
        "WHERE NOT EXISTS (SELECT 1 FROM vectors p WHERE p.id = c.vector_id)");
    std::string findings;
    while (q->step()) findings += (findings.empty() ? "" : "\n") + ("rows without a parent in table " + q->text(0));
    return findings.empty() ? "ok" : findings;
  }
  std::string quick_check() override { return "ok"; }
  bool read_only() const override { return read_only_; }
  // Between statements the server sends nothing unless it is going away (a
  // FATAL message, then the end of the stream): reading what waits on the
  // socket notices that before a statement fails on it.
  bool connected() const override {
    for (int reads = 0; reads < 3 && PQstatus(conn_) == CONNECTION_OK; ++reads) {
      pollfd waiting{PQsocket(conn_), POLLIN, 0};
      if (poll(&waiting, 1, 0) <= 0) break;
      if (PQconsumeInput(conn_) == 0) return false;
    }
    return PQstatus(conn_) == CONNECTION_OK;
  }

  // Runs `sql` with binary parameters, asking for binary results.
  Result run(const std::string& sql, const std::vector<std::string>& values, const std::vector<Oid>& types) {
    std::vector<const char*> pointers(values.size());
    std::vector<int> lengths(values.size()), formats(values.size(), 1);
    for (size_t i = 0; i < values.size(); ++i) {
      pointers[i] = values[i].data();
      lengths[i] = static_cast<int>(values[i].size());
    }
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), types.data(), pointers.data(),
                          lengths.data(), formats.data(), 1));
    expect(r, "query");
    return r;
  }

 private:
  void expect(const Result& r, const char* operation) const {
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    // The server's one-line message (without its SQL excerpt), else libpq's.
    const char* primary = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    throw Error(name_ + ": " + operation + ": " + trimmed(primary ? primary : PQerrorMessage(conn_)));
  }

  std::string name_;
  bool read_only_ = false;
  PGconn* conn_;
};

const std::string& PostgresStatement::name() const { return db_.name(); }

bool PostgresStatement::step() {
  if (!result_) {
    result_ = db_.run(sql_, values_, types_);
    row_ = -1;
  }
  return ++row_ < PQntuples(result_.get());
}

}  // namespace

std::unique_ptr<Backend> open_postgres(const std::string& uri, bool read_only) {
  return std::make_unique<PostgresBackend>(uri, read_only);
}

}  // namespace facekit::store
