// The web gallery's files (web/ in the repository), embedded into the library
// at build time by cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace facekit::serve {

struct WebFile {
  std::string_view name;     // "index.html", "app.js", ...: no folders
  std::string_view content;  // the file's bytes
};

// Every file of web/, by name.
const std::vector<WebFile>& web_files();

}  // namespace facekit::serve
