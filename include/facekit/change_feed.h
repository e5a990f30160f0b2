// Several processes over one PostgreSQL gallery, kept in step: the gallery's
// change feed, and the WAL positions that say what a read replica holds.
//
// Every write to the gallery's vectors (enroll, rename, remove, from any
// process, the CLI included) bumps a change sequence in the writer's own
// transaction and logs which vectors it touched under it (ChangeLog reads
// them); every write to people, photos or vectors NOTIFYs channel
// facekit_changes, which PostgreSQL delivers at commit. The sequence lives in a one-row table whose
// row lock the writer holds until it commits, so the bumps are in commit
// order. A follower LISTENs and re-reads the sequence on each notification,
// at each poll and after each reconnection: one that missed notifications
// (its connection lost, the server restarted) still sees that the gallery
// changed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace facekit {

// Where a gallery stands.
struct GalleryPosition {
  int64_t sequence = 0;  // the change sequence: writes committed since the feed was installed
  // The primary's WAL position when the sequence was read (pg_current_wal_lsn
  // as a number): a replica that has replayed this far holds those writes.
  uint64_t wal = 0;
};

// Installs the feed into the PostgreSQL gallery at `uri` (a libpq URI; the
// gallery in its current schema): table facekit_change_sequence and
// statement triggers on people, photos and vectors. Idempotent, and safe
// while other processes install it or write (it takes the writers' lock).
// Throws Error naming the database (its password masked) and the reason when
// it cannot connect, holds no gallery, or cannot be written (a standby).
void install_change_feed(const std::string& uri);

// One connection that LISTENs to a gallery's feed. Not for concurrent use.
class ChangeFeed {
 public:
  // Connects to the gallery at `uri` (its feed installed) and listens.
  // Throws Error naming the database and the reason.
  explicit ChangeFeed(const std::string& uri);
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Waits up to `timeout` for a notification, then reads the position.
  // Returns it on the first call, after a reconnection, and when the
  // sequence differs from the last one returned; else nullopt. A lost
  // connection is reopened on the next call. Throws Error naming the
  // database and the reason when the connection is lost or cannot be
  // reopened, or the feed is not installed.
  std::optional<GalleryPosition> next(std::chrono::milliseconds timeout);
  // The database, its password masked.
  const std::string& name() const { return name_; }

 private:
  void connect();
  void disconnect();

  std::string uri_;
  std::string name_;
  pg_conn* conn_ = nullptr;
  std::optional<int64_t> last_sequence_;
};

// What changed in a gallery after a position of its feed.
struct GalleryChanges {
  int64_t from = 0;    // the sequence asked from
  GalleryPosition to;  // where the gallery stood when the log was read
  // The vectors (StoredVector::id) added, removed or changed after `from`
  // up to to.sequence, each once, in no order. A follower reads each one's
  // state now: present, it is added (or replaces the one held); absent,
  // it is removed. Empty when not complete.
  std::vector<int64_t> vector_ids;
  // False when the log cannot say: trimmed past `from` (a follower that far
  // behind), a table truncated, more vectors changed than asked for at
  // most, or `from` ahead of the gallery (recreated). The follower then
  // reads the whole gallery again.
  bool complete = true;
};

// The rows of the change log kept (about: whole sequences are trimmed).
constexpr int64_t kKeptLogRows = 100'000;

// One connection that reads a gallery's change log (its feed installed).
// Opened on first use and reopened after a loss. Not for concurrent use.
class ChangeLog {
 public:
  explicit ChangeLog(std::string uri);
  ~ChangeLog();
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;

  // The changes after sequence `sequence`, at most `most` vector ids (more:
  // not complete), read in one snapshot with the position they lead to.
  // Throws Error naming the database and the reason when it cannot be read.
  GalleryChanges since(int64_t sequence, size_t most);

 private:
  std::string uri_;
  std::string name_;
  pg_conn* conn_ = nullptr;
};

// The WAL position a PostgreSQL server holds: a primary's written position
// (pg_current_wal_lsn), a standby's replayed one (pg_last_wal_replay_lsn).
// One connection, opened on first use and reopened after a loss. Not for
// concurrent use.
class WalProbe {
 public:
  explicit WalProbe(std::string uri);
  ~WalProbe();
  WalProbe(const WalProbe&) = delete;
  WalProbe& operator=(const WalProbe&) = delete;

  // Throws Error naming the database and the reason when it cannot be
  // reached (the connection is then reopened on the next call).
  uint64_t position();
  const std::string& name() const { return name_; }

 private:
  std::string uri_;
  std::string name_;
  pg_conn* conn_ = nullptr;
};

}  // namespace facekit
