#include "eval/text_lines.h"

#include <sstream>

#include "facekit/error.h"

namespace facekit::eval {

TextLines::TextLines(const std::filesystem::path& file) : file_(file), in_(file) {
  std::error_code ec;
  check(std::filesystem::is_regular_file(file, ec) && in_.good(), file.string(), "cannot be opened (missing or unreadable)");
}

bool TextLines::next(std::string& line) {
  while (std::getline(in_, line)) {
    ++number_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) return true;
  }
  return false;
}

std::string TextLines::where() const { return file_.string() + ":" + std::to_string(number_); }

std::vector<std::string> split_whitespace(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  return fields;
}

}  // namespace facekit::eval
