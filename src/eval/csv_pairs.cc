// A CSV of image pairs: a,b,same.
#include <algorithm>
#include <cctype>
#include <optional>

#include "eval/text_lines.h"
#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

namespace {

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
