#include "output.h"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "facekit/error.h"
#include "facekit/text.h"
#include "progress.h"

namespace facekit::cli {

void report(const std::string& line) {
  if (isatty(STDERR_FILENO) == 1) std::cerr << "\r\033[K";
  std::cerr << "facekit: " << printable(line) << "\n";
}

void print_json(const Json& json, int indent) { std::cout << dump(json, indent) << std::endl; }

int for_each_image(const std::vector<std::string>& paths, const std::function<void(const NamedImage&)>& each) {
  int status = 0;
  for (const std::string& path : paths) {
    try {
      each(read_named_image(path));
    } catch (const Error& e) {
      report(e.what());
      status = 1;
    } catch (const std::exception& e) {  // a bug, but one image's: the others still run
      report(path + ": internal error: " + e.what());
      status = 1;
    }
  }
  return status;
}

struct ProgressListener::State {
  std::optional<Progress> bar;
};

ProgressListener::ProgressListener() : state_(std::make_unique<State>()) {
  listener_.note = [](const std::string& line) { report(line); };
  listener_.progress = [state = state_.get()](size_t done, size_t total, const std::string& item) {
    if (!state->bar) state->bar.emplace(total);
    state->bar->update(done, printable(item));
    if (done == total) state->bar->clear();  // before the result is printed
  };
}

ProgressListener::~ProgressListener() = default;

std::vector<std::string> images_of(const std::vector<std::string>& inputs, int& status) {
  return expand_inputs(
      inputs, [](const std::string& note) { report("skipping " + note); },
      [&status](const std::string& error) { report(error), status = 1; });
}

}  // namespace facekit::cli
