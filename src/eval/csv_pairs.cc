// A CSV of image pairs: a,b,same.
#include <algorithm>
#include <cctype>
#include <optional>

#include "eval/text_lines.h"
#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

namespace {

// The comma-separated fields of `line`; a field may be "quoted", with ""
// standing for a quote inside it. Surrounding spaces of unquoted fields are
// dropped. Throws Error at `where` for an unterminated quote.
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

std::optional<bool> label(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "1" || s == "true") return true;
  if (s == "0" || s == "false") return false;
  return std::nullopt;
}

}  // namespace

std::vector<ImagePair> read_csv_pairs(const std::filesystem::path& file, const std::filesystem::path& root) {
  TextLines lines(file);
  std::vector<ImagePair> pairs;
  bool first = true;
  for (std::string line; lines.next(line); first = false) {
    const auto f = split_csv(line, lines.where());
    check(f.size() == 3, lines.where(), "expected 3 fields (a,b,same), got " + std::to_string(f.size()));
    const auto same = label(f[2]);
    if (!same && first) continue;  // a header line
    check(same.has_value(), lines.where(), "the label '" + f[2] + "' is not 1, 0, true or false");
    check(!f[0].empty() && !f[1].empty(), lines.where(), "an image path is empty");
    ImagePair p;
    p.a = root / f[0];  // an absolute path stays as it is
    p.b = root / f[1];
    p.same = *same;
    pairs.push_back(std::move(p));
  }
  check(!pairs.empty(), file.string(), "holds no pairs");
  return pairs;
}

}  // namespace facekit::eval
