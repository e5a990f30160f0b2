#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace facekit::cli {

Progress::Progress(size_t total) : total_(total), terminal_(isatty(STDERR_FILENO) == 1) {}

void Progress::update(size_t done, const std::string& label) {
  if (!terminal_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  // The pace counts from the first item finished on, so that starting up
  // (loading models, in every worker at once) is not taken for the pace.
  if (done > 0 && !first_done_) first_done_ = {now, done};
  char eta[32] = "--:--";  // unknown until the pace is
  if (first_done_ && done > first_done_->done) {
    const double seconds_per_item = std::chrono::duration<double>(now - first_done_->at).count() /
                                    static_cast<double>(done - first_done_->done);
    const auto seconds = static_cast<long>(seconds_per_item * static_cast<double>(total_ - done));
    std::snprintf(eta, sizeof eta, "%ld:%02ld", seconds / 60, seconds % 60);
  }
  constexpr int kBar = 24;
  const int filled = static_cast<int>(kBar * done / total_);
  char line[160];
  std::snprintf(line, sizeof line, "\r\033[K[%.*s%*s] %zu/%zu %3zu%% ETA %s %.40s", filled, "########################",
                kBar - filled, "", done, total_, 100 * done / total_, eta, label.c_str());
  std::cerr << line << std::flush;  // std::cerr: the command line quiets C's stderr (main.cc)
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace facekit::cli
