// Genuine and impostor pairs sampled from a folder per identity.
#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/image.h"

namespace facekit::eval {

namespace fs = std::filesystem;

namespace {

// Uniform in [0, n) from 32-bit draws by rejection, so that the same seed
// gives the same pairs with every standard library.
uint64_t uniform_index(std::mt19937& rng, uint64_t n) {
  constexpr uint64_t kRange = uint64_t{1} << 32;
  if (n <= kRange) {
    const uint64_t limit = kRange - kRange % n;
    uint64_t x;
    do x = rng(); while (x >= limit);
    return x % n;
  }
  uint64_t x;  // two draws make a 64-bit number; n is far below 2^64 here
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  do x = (uint64_t{rng()} << 32) | rng(); while (x >= limit);
  return x % n;
}

// `k` distinct indices of [0, total), uniformly: a partial Fisher–Yates
// shuffle when they are a large share of the range, rejection otherwise.
std::vector<uint64_t> sample_distinct(uint64_t total, uint64_t k, std::mt19937& rng) {
  std::vector<uint64_t> out;
  if (total <= 2 * k) {
    out.resize(total);
    std::iota(out.begin(), out.end(), uint64_t{0});
    for (uint64_t i = 0; i < k; ++i) std::swap(out[i], out[i + uniform_index(rng, total - i)]);
    out.resize(k);
    return out;
  }
  std::set<uint64_t> seen;
  while (out.size() < k)
    if (const uint64_t x = uniform_index(rng, total); seen.insert(x).second) out.push_back(x);
  return out;
}

// The images sorted by identity, then name; identity i owns [begin[i], begin[i+1]).
struct Dataset {
  std::vector<fs::path> images;
  std::vector<uint64_t> begin;
  uint64_t size(size_t identity) const { return begin[identity + 1] - begin[identity]; }
  size_t identities() const { return begin.size() - 1; }
};

Dataset scan(const fs::path& root) {
  Dataset d;
  d.begin.push_back(0);
  for (const auto& identity : scan_identity_folders(root)) {
    d.images.insert(d.images.end(), identity.images.begin(), identity.images.end());
    d.begin.push_back(d.images.size());
  }
  return d;
}

}  // namespace

std::vector<IdentityImages> scan_identity_folders(const fs::path& root) {
  std::error_code ec;
  check(fs::is_directory(root, ec), root.string(), "is not a folder (expected one sub-folder of images per identity)");
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec)) folders.push_back(e.path());
  check(!ec, root.string(), "cannot be listed (" + ec.message() + ")");
  std::sort(folders.begin(), folders.end());
  std::vector<IdentityImages> out;
  for (const auto& folder : folders) {
    IdentityImages identity{folder.filename().string(), {}};
    for (const auto& e : fs::directory_iterator(folder, ec))
      if (e.is_regular_file(ec) && has_image_extension(e.path())) identity.images.push_back(e.path());
    if (identity.images.empty()) continue;
    std::sort(identity.images.begin(), identity.images.end());
    out.push_back(std::move(identity));
  }
  return out;
}

std::vector<ImagePair> sample_folder_pairs(const fs::path& root, const FolderSampling& options) {
  check(options.pairs_per_class > 0, root.string(), "pairs per class must be positive");
  check(options.folds > 0, root.string(), "the fold count must be positive");
  const Dataset d = scan(root);
  check(d.identities() >= 2, root.string(),
        "needs at least two identity folders with images (found " + std::to_string(d.identities()) + ")");
  // Genuine pairs of identity i: C(n_i, 2). Impostor pairs whose first image
  // is in identity i and second in a later one: n_i · (images after i).
  const uint64_t n = d.images.size();
  std::vector<uint64_t> genuine_before{0}, impostor_before{0};
  for (size_t i = 0; i < d.identities(); ++i) {
    genuine_before.push_back(genuine_before.back() + d.size(i) * (d.size(i) - 1) / 2);
    impostor_before.push_back(impostor_before.back() + d.size(i) * (n - d.begin[i + 1]));
  }
  check(genuine_before.back() > 0, root.string(), "no identity has two images, so there are no genuine pairs");
  const uint64_t k = std::min({static_cast<uint64_t>(options.pairs_per_class), genuine_before.back(), impostor_before.back()});

  std::mt19937 rng(options.seed);
  const auto identity_of = [](const std::vector<uint64_t>& before, uint64_t index) {
    return static_cast<size_t>(std::upper_bound(before.begin(), before.end(), index) - before.begin() - 1);
  };
  std::vector<ImagePair> genuine, impostors;
  for (uint64_t index : sample_distinct(genuine_before.back(), k, rng)) {
    const size_t id = identity_of(genuine_before, index);
    uint64_t rest = index - genuine_before[id], a = 0, row = d.size(id) - 1;
    for (; rest >= row; rest -= row--) ++a;  // row a pairs image a with the row images after it
    genuine.push_back({d.images[d.begin[id] + a], d.images[d.begin[id] + a + 1 + rest], true, -1});
  }
  for (uint64_t index : sample_distinct(impostor_before.back(), k, rng)) {
    const size_t id = identity_of(impostor_before, index);
    const uint64_t rest = index - impostor_before[id], later = n - d.begin[id + 1];
    impostors.push_back({d.images[d.begin[id] + rest / later], d.images[d.begin[id + 1] + rest % later], false, -1});
  }
  std::vector<ImagePair> out;
  for (int fold = 0; fold < options.folds; ++fold)
    for (auto* list : {&genuine, &impostors})
      for (size_t i = static_cast<size_t>(fold); i < list->size(); i += static_cast<size_t>(options.folds)) {
        (*list)[i].fold = fold;
        out.push_back((*list)[i]);
      }
  return out;
}

}  // namespace facekit::eval
