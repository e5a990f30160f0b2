#include "train/face_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::train {

namespace fs = std::filesystem;

namespace {

bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::set<std::string> known = {".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"};
  return known.count(ext) > 0;
}

}  // namespace

FaceFolder read_face_folder(const fs::path& root) {
  std::error_code ec;
  check(fs::is_directory(root, ec), root.string(), "is not a folder (expected one sub-folder of images per identity)");
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec)) folders.push_back(e.path());
  check(!ec, root.string(), "cannot be listed (" + ec.message() + ")");
  std::sort(folders.begin(), folders.end());
  FaceFolder out;
  for (const auto& folder : folders) {
    std::vector<fs::path> images;
    for (const auto& e : fs::directory_iterator(folder, ec))
      if (e.is_regular_file(ec) && is_image(e.path()) && !stereo::is_yaleb_ambient(e.path().string()))
        images.push_back(e.path());
    if (images.empty()) continue;
    std::sort(images.begin(), images.end());
    const int id = static_cast<int>(out.identities.size());
    out.identities.push_back(folder.filename().string());
    for (auto& image : images) {
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
