// The gallery on SQLite: one file, WAL journal, a write transaction per
// batch (BEGIN IMMEDIATE), the schema version in PRAGMA user_version;
// read-only connections for the commands that only read.
#include <sqlite3.h>

#include <cctype>
#include <filesystem>

#include "facekit/error.h"
#include "gallery/gallery_backend.h"

namespace facekit::store {
namespace {

class SqliteBackend;

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(const SqliteBackend& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Statement& bind(int index, int64_t value) override;
  Statement& bind(int index, double value) override;
  Statement& bind(int index, const std::string& text) override;
  Statement& bind_blob(int index, std::span<const uint8_t> bytes) override;
  bool step() override;
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  std::vector<uint8_t> blob(int column) const override {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
    return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<uint8_t>();
  }

 private:
  // SQLite numbers "$N" parameters in order of appearance: find N's by name.
  int slot(int index) const;

  const SqliteBackend& db_;
  sqlite3_stmt* stmt_;
};

class SqliteBackend final : public Backend {
 public:
  SqliteBackend(const std::string& path, bool read_only) : name_(path), read_only_(read_only) {
    if (read_only) {
      open_for_reading();
      return;
    }
    open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    try {
      // WAL: readers never block the writer nor it them. FULL: a committed
      // batch survives a power cut, not only a killed process.
      exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~SqliteBackend() override { sqlite3_close(db_); }

  const std::string& name() const override { return name_; }
  const Dialect& dialect() const override {
    static const Dialect sqlite{"INTEGER PRIMARY KEY", "INTEGER", "REAL", "TEXT", "BLOB"};
    return sqlite;
  }

  void exec(const std::string& sql) override {
    char* message = nullptr;
    const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (code != SQLITE_OK) {
      const std::string reason = message ? message : sqlite3_errstr(code);
      sqlite3_free(message);
      throw Error(name_ + ": " + reason);
    }
  }

  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    sqlite3_stmt* stmt = nullptr;
    expect(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr), "prepare",
           {SQLITE_OK});
    return std::make_unique<SqliteStatement>(*this, stmt);
  }

  void begin_write() override {
    check(!read_only_, name_, "opened read-only: cannot write");
    exec("BEGIN IMMEDIATE");
  }

  int schema_version() override {
    auto q = prepare("PRAGMA user_version");
    q->step();
    return static_cast<int>(q->integer(0));
  }
  void set_schema_version(int version) override { exec("PRAGMA user_version = " + std::to_string(version)); }

  bool has_other_tables() override {
    auto q = prepare("SELECT count(*) FROM sqlite_master");
    q->step();
    return q->integer(0) > 0;
  }

  std::string integrity_check() override {
    std::string findings;
    auto q = prepare("PRAGMA integrity_check");
    while (q->step()) findings += (findings.empty() ? "" : "\n") + q->text(0);
    auto fk = prepare("PRAGMA foreign_key_check");
    if (fk->step()) findings += "\nforeign key violation in table " + fk->text(0);
    return findings;
  }

  std::string quick_check() override {
    std::string findings;
    auto q = prepare("PRAGMA quick_check");
    while (q->step()) findings += (findings.empty() ? "" : "\n") + q->text(0);
    return findings;
  }

  bool read_only() const override { return read_only_; }

  // Throws Error naming the file, the operation and SQLite's message unless
  // `code` is one of the `ok` codes.
  void expect(int code, const char* operation, std::initializer_list<int> ok) const {
    for (int c : ok)
      if ((code & 0xff) == c) return;
    throw Error(name_ + ": " + operation + ": " + sqlite3_errmsg(db_));
  }

 private:
  void open(const std::string& location, int flags) {
    const int code = sqlite3_open_v2(location.c_str(), &db_, flags, nullptr);
    if (code != SQLITE_OK) {
      const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(name_ + ": cannot open database: " + reason);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Writers hold the lock only for a batch; readers and other writers wait
    // for it rather than failing.
    sqlite3_busy_timeout(db_, 30'000);
  }

  // A WAL database is read through its shared-memory index (the -shm file
  // beside it), which SQLite must be able to create or write: not so for a
  // user who may read the gallery but not write it or its folder, or on a
  // read-only medium. Such a file is then read as immutable (no locks, no
  // index), which is exact as long as no write-ahead log holds commits that
  // are not yet in the file — a writer that closes cleanly leaves none.
  void open_for_reading() {
    std::error_code ec;
    check(std::filesystem::exists(name_, ec), name_, "no such gallery");
    open(name_, SQLITE_OPEN_READONLY);
    const int code = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    if (code == SQLITE_OK) return exec("PRAGMA query_only = ON");
    const int primary = code & 0xff;
    if (primary != SQLITE_READONLY && primary != SQLITE_CANTOPEN) {
      const std::string reason = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw Error(name_ + ": cannot read the database: " + reason);
    }
    sqlite3_close(db_);
    db_ = nullptr;
    const auto log_size = std::filesystem::file_size(name_ + "-wal", ec);
    check(ec || log_size == 0, name_,
          "cannot be read without write access: its write-ahead log (" + name_ +
              "-wal) holds commits not yet in the file (a writer is running or was killed); let it finish, or "
              "open the gallery once with write access");
    open(immutable_uri(name_), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    exec("PRAGMA query_only = ON");
  }

  // file:PATH?immutable=1, the path percent-encoded.
  static std::string immutable_uri(const std::string& path) {
    const std::string absolute = std::filesystem::absolute(path).string();
    std::string uri = "file:";
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : absolute) {
      if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~') {
        uri += static_cast<char>(c);
      } else {
        uri += '%';
        uri += hex[c >> 4];
        uri += hex[c & 15];
      }
    }
    return uri + "?immutable=1";
  }

  std::string name_;
  bool read_only_ = false;
  sqlite3* db_ = nullptr;
};

int SqliteStatement::slot(int index) const {
  const int found = sqlite3_bind_parameter_index(stmt_, ("$" + std::to_string(index)).c_str());
  check(found > 0, db_.name(), "the statement has no parameter $" + std::to_string(index));
  return found;
}

Statement& SqliteStatement::bind(int index, int64_t value) {
  db_.expect(sqlite3_bind_int64(stmt_, slot(index), value), "bind", {SQLITE_OK});
  return *this;
}

Statement& SqliteStatement::bind(int index, double value) {
  db_.expect(sqlite3_bind_double(stmt_, slot(index), value), "bind", {SQLITE_OK});
  return *this;
}

Statement& SqliteStatement::bind(int index, const std::string& text) {
  db_.expect(
      sqlite3_bind_text64(stmt_, slot(index), text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind", {SQLITE_OK});
  return *this;
}

Statement& SqliteStatement::bind_blob(int index, std::span<const uint8_t> bytes) {
  db_.expect(sqlite3_bind_blob64(stmt_, slot(index), bytes.data(), bytes.size(), SQLITE_TRANSIENT), "bind",
             {SQLITE_OK});
  return *this;
}

bool SqliteStatement::step() {
  const int code = sqlite3_step(stmt_);
  db_.expect(code, "step", {SQLITE_ROW, SQLITE_DONE});
  return (code & 0xff) == SQLITE_ROW;
}

}  // namespace

std::unique_ptr<Backend> open_sqlite(const std::string& path, bool read_only) {
  return std::make_unique<SqliteBackend>(path, read_only);
}

}  // namespace facekit::store
