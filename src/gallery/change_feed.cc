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

// The feed's tables and triggers. Every statement that changes vectors (an
// insert, a removal, a cascade from a person or photo removed, a person
// renamed, a photo changed) bumps the sequence once and logs the ids of the
// vectors it touched under the new sequence (statement triggers with
// transition tables: one bump per statement, not per row); a TRUNCATE logs
// NULL (everything). Each sequence thus has at least one log row, and the
// log is trimmed from its oldest end only, whole sequences at a time, to
// about kKeptLogRows rows: a follower finds sequence s + 1 in it exactly when
// it holds every change after s. Every statement on the three tables NOTIFYs
// (PostgreSQL folds a transaction's notifications into one). The functions
// pin the search_path they were created under, so that a writer whose own
// search_path differs still logs into this gallery. Triggers are dropped
// and created again (CREATE OR REPLACE TRIGGER needs PostgreSQL 14) under
// the writers' lock.
const char* const kInstall = R"sql(
CREATE TABLE IF NOT EXISTS facekit_change_sequence (sequence BIGINT NOT NULL);
INSERT INTO facekit_change_sequence SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM facekit_change_sequence);
CREATE TABLE IF NOT EXISTS facekit_change_log (sequence BIGINT NOT NULL, vector_id BIGINT);
CREATE INDEX IF NOT EXISTS facekit_change_log_by_sequence ON facekit_change_log(sequence);
CREATE OR REPLACE FUNCTION facekit_log_changes(ids BIGINT[]) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  now BIGINT;
  oldest_kept BIGINT;
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  UPDATE facekit_change_sequence SET sequence = sequence + 1 RETURNING sequence INTO now;
  INSERT INTO facekit_change_log SELECT now, unnest(ids);
  IF now % 1024 = 0 THEN
    SELECT sequence INTO oldest_kept FROM facekit_change_log ORDER BY sequence DESC OFFSET @KEPT@ LIMIT 1;
    IF oldest_kept IS NOT NULL THEN DELETE FROM facekit_change_log WHERE sequence < oldest_kept; END IF;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION facekit_note_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN PERFORM facekit_log_changes(ARRAY[NULL::BIGINT]); END IF;
  PERFORM pg_notify('facekit_changes', current_schema());
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION facekit_log_vectors() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM facekit_log_changes(ARRAY(SELECT id FROM changed));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION facekit_log_photos() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM facekit_log_changes(ARRAY(SELECT v.id FROM changed JOIN vectors v ON v.photo_id = changed.id));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION facekit_log_people() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM facekit_log_changes(ARRAY(SELECT v.id FROM changed JOIN photos p ON p.person_id = changed.id
                                    JOIN vectors v ON v.photo_id = p.id));
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS facekit_people_changed ON people;
DROP TRIGGER IF EXISTS facekit_photos_changed ON photos;
DROP TRIGGER IF EXISTS facekit_vectors_changed ON vectors;
DROP TRIGGER IF EXISTS facekit_vectors_added ON vectors;
DROP TRIGGER IF EXISTS facekit_vectors_removed ON vectors;
DROP TRIGGER IF EXISTS facekit_vectors_updated ON vectors;
DROP TRIGGER IF EXISTS facekit_photos_updated ON photos;
DROP TRIGGER IF EXISTS facekit_people_updated ON people;
CREATE TRIGGER facekit_people_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
CREATE TRIGGER facekit_photos_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON photos
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
CREATE TRIGGER facekit_vectors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vectors
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_note_change();
CREATE TRIGGER facekit_vectors_added AFTER INSERT ON vectors REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_log_vectors();
CREATE TRIGGER facekit_vectors_removed AFTER DELETE ON vectors REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_log_vectors();
CREATE TRIGGER facekit_vectors_updated AFTER UPDATE ON vectors REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_log_vectors();
CREATE TRIGGER facekit_photos_updated AFTER UPDATE ON photos REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_log_photos();
CREATE TRIGGER facekit_people_updated AFTER UPDATE ON people REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION facekit_log_people();
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
    std::string install = kInstall;
    install.replace(install.find("@KEPT@"), 6, std::to_string(kKeptLogRows));
    run(conn.get(), install, name, what);
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

ChangeLog::ChangeLog(std::string uri) : uri_(std::move(uri)), name_(masked_location(uri_)) {}

ChangeLog::~ChangeLog() { PQfinish(conn_); }

GalleryChanges ChangeLog::since(int64_t sequence, size_t most) {
  if (!conn_) conn_ = connect_to(uri_, name_);
  const std::string what = "cannot read the change log";
  try {
    // One snapshot for the position and the log rows up to it.
    run(conn_, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", name_, what);
    GalleryChanges changes;
    changes.from = sequence;
    const Result now = run(conn_,
                           "SELECT sequence, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint FROM facekit_change_sequence",
                           name_, what);
    changes.to = {integer_of(now, 0, name_, "the change sequence"),
                  static_cast<uint64_t>(integer_of(now, 1, name_, "the WAL position"))};
    if (changes.to.sequence != sequence) {
      const std::string after = std::to_string(sequence);
      const Result first = run(conn_, "SELECT count(*) FROM facekit_change_log WHERE sequence = " + after + " + 1",
                               name_, what);
      const Result ids = run(conn_,
                             "SELECT DISTINCT vector_id FROM facekit_change_log WHERE sequence > " + after +
                                 " AND sequence <= " + std::to_string(changes.to.sequence) + " LIMIT " +
                                 std::to_string(most + 1),
                             name_, what);
      changes.complete = changes.to.sequence > sequence && integer_of(first, 0, name_, what) > 0 &&
                         static_cast<size_t>(PQntuples(ids.get())) <= most;
      for (int row = 0; changes.complete && row < PQntuples(ids.get()); ++row) {
        if (PQgetisnull(ids.get(), row, 0)) changes.complete = false;  // a table was truncated
        else changes.vector_ids.push_back(std::stoll(PQgetvalue(ids.get(), row, 0)));
      }
      if (!changes.complete) changes.vector_ids.clear();
    }
    run(conn_, "COMMIT", name_, what);
    return changes;
  } catch (...) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQfinish(conn_);
      conn_ = nullptr;
    } else {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
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
