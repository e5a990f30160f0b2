// What the gallery needs of a database: statements with bound parameters,
// write transactions, the schema's version and dialect. The gallery's logic
// (store.cc) is written once over this; sqlite_backend.cc and
// postgres_backend.cc adapt SQLite and PostgreSQL (libpq) to it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace facekit::store {

// A statement whose parameters are written $1, $2, ... in its SQL (values
// never enter SQL text). Errors throw facekit::Error naming the database.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual Statement& bind(int index, int64_t value) = 0;
  virtual Statement& bind(int index, double value) = 0;
  // Text is bound as bytes: stored and returned byte for byte.
  virtual Statement& bind(int index, const std::string& text) = 0;
  virtual Statement& bind_blob(int index, std::span<const uint8_t> bytes) = 0;
  // Runs the statement on the first call; true while there is a row.
  virtual bool step() = 0;
  // Clears the bindings and rewinds, to run again.
  virtual void reset() = 0;
  // The current row's columns, 0-based; NULL reads as 0 or empty.
  virtual int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual std::vector<uint8_t> blob(int column) const = 0;

  // Runs to the end; the number of rows it gave.
  int64_t run() {
    int64_t rows = 0;
    while (step()) ++rows;
    return rows;
  }
};

// The column types of the schema in a backend's SQL.
struct Dialect {
  std::string serial;   // an integer primary key the database assigns
  std::string integer;  // 64-bit
  std::string real;     // 64-bit floating point
  std::string text;     // names, files, models, hashes: any bytes but NUL
  std::string blob;
};

// One connection to one gallery.
class Backend {
 public:
  virtual ~Backend() = default;
  // The location for messages (a password masked).
  virtual const std::string& name() const = 0;
  virtual const Dialect& dialect() const = 0;
  // Runs SQL without parameters, possibly several statements.
  virtual void exec(const std::string& sql) = 0;
  virtual std::unique_ptr<Statement> prepare(const std::string& sql) = 0;
  // Opens a write transaction: one writer at a time per gallery, readers
  // never blocked. COMMIT and ROLLBACK go through exec().
  virtual void begin_write() = 0;
  // 0 for a database without a gallery.
  virtual int schema_version() = 0;
  // Inside a write transaction.
  virtual void set_schema_version(int version) = 0;
  // True when a database without a gallery holds other tables (foreign to
  // facekit: refused rather than written into).
  virtual bool has_other_tables() = 0;
  // "ok" for a sound database, else the findings.
  virtual std::string integrity_check() = 0;
  // The same, cheaper (SQLite's quick_check: the structure without the
  // indexes' agreement); "ok" where the server keeps its own files sound.
  virtual std::string quick_check() = 0;
  // True for a connection opened read-only.
  virtual bool read_only() const = 0;
  // False once the connection to a database server is known to be lost (a
  // statement failed on it, or the server closed it); a file is always
  // connected.
  virtual bool connected() const { return true; }
};

// Opens or creates a SQLite file (":memory:" for a gallery in memory).
// Read-only: never creates, writes or locks for writing, and works where the
// user cannot write the file or its folder (then reading it as immutable,
// when no write-ahead log waits to be applied).
std::unique_ptr<Backend> open_sqlite(const std::string& path, bool read_only);
// Connects to a PostgreSQL database named by a libpq URI; read-only: every
// transaction is READ ONLY.
std::unique_ptr<Backend> open_postgres(const std::string& uri, bool read_only);

// All writers of a PostgreSQL database take this advisory lock for their
// transaction.
inline constexpr int64_t kPostgresWriteLock = 0x66616365'6b697400;  // "facekit\0"

// Commits or, when destroyed uncommitted (an exception in between), rolls
// back a write transaction.
class WriteTransaction {
 public:
  explicit WriteTransaction(Backend& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  Backend& db_;
  bool open_ = true;
};

}  // namespace facekit::store
