// A fresh, empty folder for one test, removed with its contents at the end
// of the scope.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace facekit::testing {

class TempDir {
 public:
  // mkdtemp under the system's temporary folder, named facekit_<tag>_XXXXXX,
  // so that tests running in parallel never share one.
  explicit TempDir(const std::string& tag) : path(make(tag)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path path;

 private:
  static std::filesystem::path make(const std::string& tag) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("facekit_" + tag + "_XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create " + pattern);
    return pattern;
  }
};

}  // namespace facekit::testing
