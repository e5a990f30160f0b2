// A thin RAII layer over the SQLite C API: a connection and prepared
// statements with bound parameters (values never enter SQL text).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace facekit::sqlite {

class Statement;

// One connection. Errors throw facekit::Error naming the database file and
// SQLite's message.
class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without parameters (schema, pragmas, transaction control).
  void exec(const std::string& sql);
  Statement prepare(const std::string& sql);
  int64_t last_insert_id() const;
  int changes() const;
  const std::string& path() const { return path_; }
  // Throws Error naming the file, the operation and SQLite's message unless
  // `code` is one of the `ok` codes.
  void expect(int code, const char* operation, std::initializer_list<int> ok) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement. Parameters are 1-based, as in SQLite.
class Statement {
 public:
  Statement(Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& text);
  Statement& bind_blob(int index, std::span<const uint8_t> bytes);
  // Advances to the next row: true while there is one.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  // Clears bindings and rewinds, to run again.
  void reset();

  int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::vector<uint8_t> blob(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE … COMMIT; rolled back when destroyed uncommitted (an
// exception in between leaves the database as it was).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace facekit::sqlite
