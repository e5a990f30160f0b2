// A training set as a folder per identity, and its split into training and
// validation identities.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace facekit::train {

struct FaceFolder {
  std::vector<std::string> identities;  // folder names, sorted
  std::vector<std::filesystem::path> images;  // sorted by identity, then name
  std::vector<int> identity;                  // of each image: an index into identities
};

// root/<identity>/<image files> as eval::scan_identity_folders finds them,
// less Yale B `_Ambient` images (identities left without images are dropped). Throws Error naming `root` when it is not a readable folder or
// holds fewer than two identities with images.
FaceFolder read_face_folder(const std::filesystem::path& root);

// Identities 0..count−1 split by a seeded shuffle: round(val_share · count)
// validation identities, clamped so that each side keeps at least one; both
// lists ascending, disjoint, together all of them. Throws Error unless
// count ≥ 2 and 0 < val_share < 1.
struct IdentitySplit {
  std::vector<int> train, val;
};
IdentitySplit split_identities(int count, double val_share, uint64_t seed);

}  // namespace facekit::train
