// How the command line prints: results on stdout (one JSON object per line,
// or text), problems on stderr as one line each, names made printable
// (text.h) so that no path or person name can split a line or reach the
// terminal as an escape sequence.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "facekit/engine.h"
#include "facekit/json.h"

namespace facekit::cli {

// "facekit: " + printable(line) on stderr; on a terminal it first wipes the
// progress line, which the next update redraws.
void report(const std::string& line);

// `json` as one line on stdout (indent < 0), flushed.
void print_json(const Json& json, int indent = -1);

// The images command-line inputs name (expand_inputs()): skipped folder
// entries are reported, and so are unusable folders, which set `status` to 1.
std::vector<std::string> images_of(const std::vector<std::string>& inputs, int& status);

// Reads each image and runs `each` on it. An image that cannot be read, or
// whose processing throws, is reported (naming it) and the rest go on.
// Returns the exit status: 0 when all succeeded, else 1.
int for_each_image(const std::vector<std::string>& paths, const std::function<void(const NamedImage&)>& each);

// A listener that reports notes (report()) and, on a terminal, draws progress.
class ProgressListener {
 public:
  ProgressListener();
  ~ProgressListener();
  const Listener& listener() const { return listener_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  Listener listener_;
};

}  // namespace facekit::cli
