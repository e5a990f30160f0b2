// facekit::Error — the one exception type the library throws for bad input.
//
// The message always names the offending thing (a file, a model, a tensor)
// and the reason, so a caller can print what() and stop.
#pragma once

#include <stdexcept>
#include <string>

namespace facekit {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws Error(context + ": " + reason) unless `ok`.
inline void check(bool ok, const std::string& context, const std::string& reason) {
  if (!ok) throw Error(context + ": " + reason);
}

}  // namespace facekit
