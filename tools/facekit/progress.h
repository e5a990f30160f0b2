// A one-line progress report with an ETA, redrawn in place on a terminal
// (stderr) and silent otherwise, so that logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace facekit::cli {

class Progress {
 public:
  explicit Progress(size_t total);
  // `done` of the total are finished; `label` names the item at hand (just
  // finished or under way).
  void update(size_t done, const std::string& label);
  // Clears the line (call before printing anything else to stderr).
  void clear();
  ~Progress() { clear(); }

 private:
  size_t total_;
  bool terminal_;
  bool drawn_ = false;
  struct Mark {
    std::chrono::steady_clock::time_point at;
    size_t done = 0;
  };
  std::optional<Mark> first_done_;  // when something was first done, and how much
};

}  // namespace facekit::cli
