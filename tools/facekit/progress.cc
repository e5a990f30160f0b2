#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace facekit::cli {

Progress::Progress(size_t total) : total_(total), terminal_(isatty(STDERR_FILENO) == 1) {}

void Progress::update(size_t done, const std::string& label) {
  if (!terminal_ || total_ == 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char eta[32] = "--:--";  // unknown until something is done
  if (done > 0) {
    const auto seconds = static_cast<long>(elapsed / static_cast<double>(done) * static_cast<double>(total_ - done));
    std::snprintf(eta, sizeof eta, "%ld:%02ld", seconds / 60, seconds % 60);
  }
  constexpr int kBar = 24;
  const int filled = static_cast<int>(kBar * done / total_);
  std::fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu %3zu%% ETA %s %.40s", filled, "########################",
               kBar - filled, "", done, total_, 100 * done / total_, eta, label.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace facekit::cli
