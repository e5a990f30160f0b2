// Reading a text file line by line with line numbers, for parsers whose
// errors name "file:line".
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace facekit::eval {

class TextLines {
 public:
  // Throws Error naming the file when it cannot be opened.
  explicit TextLines(const std::filesystem::path& file);
  // The next line that is not blank (a trailing '\r' removed); false at the end.
  bool next(std::string& line);
  // "file:line" of the line last returned.
  std::string where() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::ifstream in_;
  int64_t number_ = 0;
};

// The fields of `line` separated by runs of spaces or tabs.
std::vector<std::string> split_whitespace(const std::string& line);

// The comma-separated fields of `line`; a field may be "quoted", with ""
// standing for a quote inside it. Surrounding spaces of unquoted fields are
// dropped. Throws Error at `where` for an unterminated quote.
std::vector<std::string> split_csv(const std::string& line, const std::string& where);

}  // namespace facekit::eval
