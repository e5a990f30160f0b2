// Databases: the gallery back-ends compiled in (SQLite, PostgreSQL's libpq)
// and, when asked, one gallery location tried without changing it: a SQLite
// file opened read-only (never created), a PostgreSQL server connected to.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <filesystem>

#include "doctor/checks.h"
#include "facekit/gallery.h"

namespace facekit::doctor {
namespace {

// 150005 → "15.5"; 90624 → "9.6.24" (libpq's numbering before and after 10).
std::string pg_version(int v) {
  if (v >= 100000) return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

Finding try_postgres(const std::string& uri) {
  Finding f{"database", "--db (PostgreSQL)", Verdict::kProblem, ""};
  // libpq's messages name host and port, never the password.
  PGconn* conn = PQconnectdb(uri.c_str());
  if (PQstatus(conn) == CONNECTION_OK) {
    f.verdict = Verdict::kOk;
    f.detail = "connected: server " + pg_version(PQserverVersion(conn)) + ", database " + PQdb(conn);
  } else {
    std::string reason = PQerrorMessage(conn);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    f.detail = "cannot connect: " + reason;
  }
  PQfinish(conn);
  return f;
}

Finding try_sqlite(const std::string& path) {
  Finding f{"database", "--db (SQLite) " + path, Verdict::kProblem, ""};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    f.detail = "no such file (facekit enroll creates it)";
    return f;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'people'", -1, &stmt, nullptr);
  if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const bool gallery = sqlite3_column_int(stmt, 0) == 1;
    f.verdict = gallery ? Verdict::kOk : Verdict::kNote;
    f.detail = gallery ? "readable, a facekit gallery" : "readable, but holds no facekit gallery yet";
  } else {
    f.detail = std::string("cannot read: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return f;
}

}  // namespace

void check_databases(const std::string& location, std::vector<Finding>& out) {
  out.push_back({"database", "SQLite", Verdict::kOk, std::string("library ") + sqlite3_libversion()});
  out.push_back({"database", "PostgreSQL client (libpq)", Verdict::kOk, "library " + pg_version(PQlibVersion())});
  if (location.empty()) return;
  out.push_back(is_postgres_location(location) ? try_postgres(location) : try_sqlite(location));
}

}  // namespace facekit::doctor
