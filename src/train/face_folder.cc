#include "train/face_folder.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/stereo.h"

namespace facekit::train {

namespace fs = std::filesystem;

FaceFolder read_face_folder(const fs::path& root) {
  FaceFolder out;
  for (auto& folder : eval::scan_identity_folders(root)) {
    std::erase_if(folder.images, [](const fs::path& p) { return stereo::is_yaleb_ambient(p.string()); });
    if (folder.images.empty()) continue;
    const int id = static_cast<int>(out.identities.size());
    out.identities.push_back(std::move(folder.identity));
    for (auto& image : folder.images) {
      out.images.push_back(std::move(image));
      out.identity.push_back(id);
    }
  }
  check(out.identities.size() >= 2, root.string(),
        "needs at least two identity folders with images (found " + std::to_string(out.identities.size()) + ")");
  return out;
}

IdentitySplit split_identities(int count, double val_share, uint64_t seed) {
  check(count >= 2, "identity split", "needs at least two identities (got " + std::to_string(count) + ")");
  check(val_share > 0 && val_share < 1, "identity split",
        "the validation share must lie strictly between 0 and 1 (got " + std::to_string(val_share) + ")");
  const int val = std::clamp(static_cast<int>(std::lround(val_share * count)), 1, count - 1);
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  IdentitySplit split;
  split.val.assign(order.begin(), order.begin() + val);
  split.train.assign(order.begin() + val, order.end());
  std::sort(split.val.begin(), split.val.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

}  // namespace facekit::train
