#include "gallery/sqlite.h"


#include <sqlite3.h>

#include "facekit/error.h"

namespace facekit::sqlite {

Database::Database(const std::string& path) : path_(path) {
  const int code = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (code != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path + ": cannot open database: " + reason);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Writers hold the lock only for a batch; readers and other writers wait
  // for it rather than failing.
  sqlite3_busy_timeout(db_, 30'000);
}

Database::~Database() { sqlite3_close(db_); }

void Database::expect(int code, const char* operation, std::initializer_list<int> ok) const {
  for (int c : ok)
    if ((code & 0xff) == c) return;
  throw Error(path_ + ": " + operation + ": " + sqlite3_errmsg(db_));
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string reason = message ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw Error(path_ + ": " + reason);
  }
}

Statement Database::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  expect(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr), "prepare",
         {SQLITE_OK});
  return Statement(*this, stmt);
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, int64_t value) {
  db_->expect(sqlite3_bind_int64(stmt_, index, value), "bind", {SQLITE_OK});
  return *this;
}

Statement& Statement::bind(int index, double value) {
  db_->expect(sqlite3_bind_double(stmt_, index, value), "bind", {SQLITE_OK});
  return *this;
}

Statement& Statement::bind(int index, const std::string& text) {
  db_->expect(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
              "bind", {SQLITE_OK});
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const uint8_t> bytes) {
  db_->expect(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), "bind",
              {SQLITE_OK});
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(stmt_);
  db_->expect(code, "step", {SQLITE_ROW, SQLITE_DONE});
  return (code & 0xff) == SQLITE_ROW;
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::vector<uint8_t> Statement::blob(int column) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<uint8_t>();
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (open_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const Error&) {  // nothing more to undo: SQLite already rolled back
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace facekit::sqlite
