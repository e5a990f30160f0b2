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

std::vector<std::string> split_csv(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  const auto finish = [&] {
    if (!was_quoted) {
      const auto first = field.find_first_not_of(" \t"), last = field.find_last_not_of(" \t");
      field = first == std::string::npos ? "" : field.substr(first, last - first + 1);
    }
    fields.push_back(field);
    field.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += line[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"' && field.find_first_not_of(" \t") == std::string::npos) {
      field.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      finish();
    } else if (!(was_quoted && (c == ' ' || c == '\t'))) {
      field += c;
    }
  }
  check(!quoted, where, "unterminated quoted field");
  finish();
  return fields;
}

}  // namespace facekit::eval
