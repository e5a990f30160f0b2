// LFW's pairs.txt.
#include <cstdio>
#include <string>

#include "eval/text_lines.h"
#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

namespace {

// A whole-token positive integer, or an Error at `where`.
int64_t positive_integer(const std::string& token, const std::string& where, const std::string& what) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(token, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used == token.size() && used > 0 && v > 0, where, what + " '" + token + "' is not a positive integer");
  return v;
}

std::filesystem::path lfw_image(const std::filesystem::path& root, const std::string& name, int64_t number) {
  char file[32];
  std::snprintf(file, sizeof file, "_%04lld.jpg", static_cast<long long>(number));
  return root / name / (name + file);
}

}  // namespace

std::vector<ImagePair> read_lfw_pairs(const std::filesystem::path& file, const std::filesystem::path& root) {
  TextLines lines(file);
  std::string line;
  check(lines.next(line), file.string(), "is empty (expected a header \"<folds> <pairs per class>\")");
  const auto header = split_whitespace(line);
  check(header.size() == 1 || header.size() == 2, lines.where(),
        "expected a header \"<folds> <pairs per class>\" or \"<pairs per class>\", got '" + line + "'");
  const int64_t folds = header.size() == 2 ? positive_integer(header[0], lines.where(), "fold count") : 1;
  const int64_t per_class = positive_integer(header.back(), lines.where(), "pairs per class");
  // A real protocol has thousands of pairs; a bigger header is corrupt (and would overflow).
  check(folds <= 1'000'000 && per_class <= 1'000'000'000 / folds, lines.where(),
        "the header announces an implausible " + std::to_string(folds) + " folds of " + std::to_string(per_class) + " pairs");
  const int64_t expected = folds * 2 * per_class;

  std::vector<ImagePair> pairs;
  while (lines.next(line)) {
    const int64_t index = static_cast<int64_t>(pairs.size());
    check(index < expected, lines.where(),
          "more pairs than the header announces (" + std::to_string(folds) + " folds of " + std::to_string(per_class) +
              " same + " + std::to_string(per_class) + " different pairs)");
    // Within a fold the same-person lines come first, as the header declares.
    const bool same_expected = index % (2 * per_class) < per_class;
    const auto f = split_whitespace(line);
    ImagePair p;
    // One fold (View 1) carries no cross-validation split: cross_validate deals it.
    p.fold = folds == 1 ? -1 : static_cast<int>(index / (2 * per_class));
    if (f.size() == 3) {
      check(same_expected, lines.where(), "a same-person line (name i j) where a different-person line (name1 i name2 j) is due");
      p.same = true;
      p.a = lfw_image(root, f[0], positive_integer(f[1], lines.where(), "image number"));
      p.b = lfw_image(root, f[0], positive_integer(f[2], lines.where(), "image number"));
    } else if (f.size() == 4) {
      check(!same_expected, lines.where(), "a different-person line (name1 i name2 j) where a same-person line (name i j) is due");
      p.a = lfw_image(root, f[0], positive_integer(f[1], lines.where(), "image number"));
      p.b = lfw_image(root, f[2], positive_integer(f[3], lines.where(), "image number"));
    } else {
      throw Error(lines.where() + ": expected 3 fields (name i j) or 4 (name1 i name2 j), got " + std::to_string(f.size()));
    }
    pairs.push_back(std::move(p));
  }
  check(static_cast<int64_t>(pairs.size()) == expected, lines.where(),
        "the file ends after " + std::to_string(pairs.size()) + " pairs; the header announces " + std::to_string(expected));
  return pairs;
}

}  // namespace facekit::eval
