// What one node searches of a PostgreSQL gallery, kept in step with every
// node's writes: a thread follows the gallery's change feed
// (change_feed.h) and, on each change, reads the change log from the last
// sequence it applied and has the Engine update its index in place with the
// vectors changed (Engine::update_gallery); when the log cannot say (this
// node too far behind, the log trimmed, more than kMostInPlace vectors) it
// makes the Engine forget the gallery, so that the next search rebuilds its
// index from the database. This node's own writes are applied the same way
// before they are acknowledged. With a read
// replica, searches read the replica only once it has replayed every change
// this node knows of (its own writes included: read-your-writes), waiting up
// to kReplicaWait for it; otherwise they read the primary.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "facekit/change_feed.h"
#include "facekit/engine.h"

namespace facekit::serve {

class GallerySync {
 public:
  // How long a search waits for the replica before reading the primary.
  static constexpr std::chrono::milliseconds kReplicaWait{500};
  // How often the feed is read without a notification (the safety net for
  // a notification lost with its connection).
  static constexpr std::chrono::milliseconds kPoll{250};
  // The most changed vectors applied in place at once; more are read as a
  // whole gallery again (about what a rebuild reads at 10k vectors).
  static constexpr size_t kMostInPlace = 10'000;

  // Installs the change feed into the gallery at `primary` (a PostgreSQL
  // URI) and starts following it. `replica`: a PostgreSQL URI of a streaming
  // replica of it, or empty. `log` gets a line when the feed is lost and
  // when it is back. Throws Error naming the database and the reason when
  // the feed cannot be installed or followed.
  GallerySync(std::string primary, std::string replica, Engine& engine, std::ostream& log);
  // Stops following (within kPoll).
  ~GallerySync();
  GallerySync(const GallerySync&) = delete;
  GallerySync& operator=(const GallerySync&) = delete;

  // Called after this node committed a write to the primary: the write is
  // applied to this node's index (catch_up) and later searches read the
  // replica only once it has replayed it. Never throws: when the log cannot
  // be read, the Engine forgets the gallery and searches read the primary
  // for kUnknownPositionFallback.
  void wrote();
  // The location a search reads now (the primary's or the replica's URI, as
  // given). Waits up to kReplicaWait; never throws (an unreachable replica
  // reads as one that is behind).
  std::string search_location();

 private:
  static constexpr std::chrono::seconds kUnknownPositionFallback{5};
  void follow();
  // Applies the changes after the last sequence applied. Throws Error when
  // the log cannot be read (nothing applied).
  void catch_up();

  const std::string primary_;
  const std::string replica_;
  Engine& engine_;
  std::ostream& log_;

  std::mutex mutex_;  // guards what follows, and the probes' connections
  std::condition_variable stopped_;
  bool stopping_ = false;
  uint64_t needed_wal_ = 0;    // what the replica must have replayed for searches to read it
  uint64_t replica_wal_ = 0;   // what it was last seen to have replayed (its index rebuilt since)
  std::chrono::steady_clock::time_point primary_until_{};  // read the primary until then
  WalProbe replica_probe_;

  std::mutex apply_mutex_;  // one catch-up at a time; guards what follows
  ChangeLog log_reader_;
  int64_t applied_ = 0;  // the sequence the Engine's index of the primary holds

  std::thread follower_;
};

}  // namespace facekit::serve
