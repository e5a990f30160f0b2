#include "serve/gallery_sync.h"

#include <algorithm>
#include <optional>

#include "facekit/error.h"

namespace facekit::serve {

GallerySync::GallerySync(std::string primary, std::string replica, Engine& engine, std::ostream& log)
    : primary_(std::move(primary)),
      replica_(std::move(replica)),
      engine_(engine),
      log_(log),
      replica_probe_(replica_),
      log_reader_(primary_) {
  install_change_feed(primary_);
  // Whatever the Engine held of the gallery is read again; changes from now on are applied.
  applied_ = log_reader_.since(0, 0).to.sequence;
  engine_.forget_gallery(primary_);
  follower_ = std::thread([this] { follow(); });
}

GallerySync::~GallerySync() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_.notify_all();
  follower_.join();
}

void GallerySync::follow() {
  std::optional<ChangeFeed> feed;
  bool lost = false;
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      if (!feed) feed.emplace(primary_);
      if (feed->next(kPoll)) catch_up();
      if (lost) log_ << "facekit serve: the change feed of " << feed->name() << " is back" << std::endl;
      lost = false;
    } catch (const Error& e) {
      if (!lost)
        log_ << "facekit serve: " << e.what()
             << " (other nodes' writes are not seen until the change feed is back; retrying)" << std::endl;
      lost = true;
      feed.reset();
      std::unique_lock lock(mutex_);
      stopped_.wait_for(lock, kPoll, [this] { return stopping_; });
    }
  }
}

void GallerySync::catch_up() {
  const std::lock_guard apply(apply_mutex_);
  const GalleryChanges changes = log_reader_.since(applied_, kMostInPlace);
  if (!changes.complete)
    engine_.forget_gallery(primary_);
  else if (!changes.vector_ids.empty())
    engine_.update_gallery(primary_, changes.vector_ids);
  applied_ = changes.to.sequence;
  const std::lock_guard lock(mutex_);
  needed_wal_ = std::max(needed_wal_, changes.to.wal);
}

void GallerySync::wrote() {
  try {
    catch_up();
  } catch (const Error&) {
    engine_.forget_gallery(primary_);
    const std::lock_guard lock(mutex_);
    primary_until_ = std::chrono::steady_clock::now() + kUnknownPositionFallback;
  }
}

std::string GallerySync::search_location() {
  if (replica_.empty()) return primary_;
  const std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now < primary_until_) return primary_;
  if (needed_wal_ <= replica_wal_) return replica_;
  const auto deadline = now + kReplicaWait;
  for (;;) {
    try {
      const uint64_t replayed = replica_probe_.position();
      if (replayed >= needed_wal_) {
        engine_.forget_gallery(replica_);  // built before the replica held every change
        replica_wal_ = replayed;
        return replica_;
      }
    } catch (const Error&) {
      return primary_;  // unreachable: read the primary (and try the replica again next time)
    }
    if (std::chrono::steady_clock::now() >= deadline) return primary_;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace facekit::serve
