// The change feed on PostgreSQL (change_feed.h) through libpq.
#include "facekit/change_feed.h"

#include <libpq-fe.h>
#include <poll.h>

#include <memory>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "gallery/gallery_backend.h"

namespace facekit {
namespace {

// The feed's table and triggers. The function pins the search_path it was
// created under, so that a writer whose own search_path differs still bumps
// this gallery's sequence. Triggers are dropped and created again (CREATE OR
// REPLACE TRIGGER needs PostgreSQL 14) under the writers' lock.
const char* const kInstall = R"sql(
CREATE TABLE IF NOT EXISTS facekit_change_sequence (sequence BIGINT NOT NULL);
INSERT INTO facekit_change_sequence SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM facekit_change_sequence);
CREATE OR REPLACE FUNCTION facekit_note_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE facekit_change_sequence SET sequence = sequence + 1;
  PERFORM pg_notify('facekit_changes', current_schema());
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS facekit_people_changed ON people;
DROP TRIGGER IF EXISTS facekit_photos_changed ON photos;
DROP TRIGGER IF EXISTS facekit_vectors_changed ON vectors;
CREATE TRIGGER facekit_people_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
CREATE TRIGGER facekit_photos_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON photos
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
CREATE TRIGGER facekit_vectors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vectors
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
)sql";

// libpq's messages end with a newline.
std::string reason_of(PGconn* conn, const PGresult* result = nullptr) {
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string s = primary ? primary : (conn ? PQerrorMessage(conn) : "out of memory");
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

PGconn* connect_to(const std::string& uri, const std::string& name) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    const std::string reason = reason_of(conn);
    PQfinish(conn);
    throw Error(name + ": cannot connect: " + reason);
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "... does not exist, skipping"
  return conn;
}

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Runs `sql`; its result. Throws Error naming the database, what it did and the reason.
Result run(PGconn* conn, const std::string& sql, const std::string& name, const std::string& what) {
  Result r(PQexec(conn, sql.c_str()), &PQclear);
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw Error(name + ": " + what + ": " + reason_of(conn, r.get()));
  return r;
}

// The first row's column `column` of a query as an integer.
int64_t integer_of(const Result& r, int column, const std::string& name, const std::string& what) {
  check(PQntuples(r.get()) == 1 && !PQgetisnull(r.get(), 0, column), name, what + ": no value");
  return std::stoll(PQgetvalue(r.get(), 0, column));
}

}  // namespace

void install_change_feed(const std::string& uri) {
  const std::string name = masked_location(uri);
  const std::unique_ptr<PGconn, decltype(&PQfinish)> conn(connect_to(uri, name), &PQfinish);
  const std::string what = "cannot install the change feed";
  const Result has_gallery = run(conn.get(),
                                 "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename "
                                 "IN ('people', 'photos', 'vectors')",
                                 name, what);
  check(integer_of(has_gallery, 0, name, what) == 3, name, what + ": it holds no facekit gallery");
  run(conn.get(), "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(store::kPostgresWriteLock) + ")", name, what);
  try {
    run(conn.get(), kInstall, name, what);
    run(conn.get(), "COMMIT", name, what);
  } catch (...) {
    PQexec(conn.get(), "ROLLBACK");
    throw;
  }
}

ChangeFeed::ChangeFeed(const std::string& uri) : uri_(uri), name_(masked_location(uri)) { connect(); }

ChangeFeed::~ChangeFeed() { disconnect(); }

void ChangeFeed::connect() {
  conn_ = connect_to(uri_, name_);
  try {
    run(conn_, "LISTEN facekit_changes", name_, "cannot listen for changes");
  } catch (...) {
    disconnect();
    throw;
  }
  last_sequence_.reset();  // whatever happened meanwhile: report the next position
}

void ChangeFeed::disconnect() {
  PQfinish(conn_);
  conn_ = nullptr;
}

std::optional<GalleryPosition> ChangeFeed::next(std::chrono::milliseconds timeout) {
  if (!conn_) connect();
  try {
    pollfd socket{PQsocket(conn_), POLLIN, 0};
    if (PGnotify* waiting = PQnotifies(conn_))  // already read: no need to wait
      PQfreemem(waiting);
    else
      poll(&socket, 1, static_cast<int>(timeout.count()));
    check(PQconsumeInput(conn_) == 1, name_, "the connection was lost: " + reason_of(conn_));
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
    const Result r = run(conn_,
                         "SELECT sequence, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint FROM facekit_change_sequence",
                         name_, "cannot read the change sequence");
    const GalleryPosition position{integer_of(r, 0, name_, "the change sequence"),
                                   static_cast<uint64_t>(integer_of(r, 1, name_, "the WAL position"))};
    if (last_sequence_ == position.sequence) return std::nullopt;
    last_sequence_ = position.sequence;
    return position;
  } catch (...) {
    if (PQstatus(conn_) != CONNECTION_OK) disconnect();
    throw;
  }
}

WalProbe::WalProbe(std::string uri) : uri_(std::move(uri)), name_(masked_location(uri_)) {}

WalProbe::~WalProbe() { PQfinish(conn_); }

uint64_t WalProbe::position() {
  if (!conn_) conn_ = connect_to(uri_, name_);
  try {
    const Result r = run(conn_,
                         "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() "
                         "END - '0/0'::pg_lsn)::bigint",
                         name_, "cannot read the WAL position");
    return static_cast<uint64_t>(integer_of(r, 0, name_, "the WAL position"));
  } catch (...) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQfinish(conn_);
      conn_ = nullptr;
    }
    throw;
  }
}

}  // namespace facekit
