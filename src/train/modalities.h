// The channels of a sample — the image, photometric stereo maps, or both —
// built once per image of the training set (train.h describes them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "train/augment.h"
#include "train/face_folder.h"

namespace facekit::train {

struct Modalities {
  bool image = true;    // 3 channels: R, G, B in [0, 1]
  bool stereo = false;  // 5 channels: albedo, normal x, y, z, depth (stereo.h's stacked maps)
  std::vector<ChannelRole> roles() const;
  int channels() const { return static_cast<int>(roles().size()); }
};

// "image" | "stereo" | "image+stereo"; throws Error listing them otherwise.
Modalities parse_modalities(const std::string& name);

// One C×size×size float tensor per image `members[i]` of `folder`, channels
// in the order above (image first). Images are resized with INTER_AREA
// (INTER_LINEAR when enlarging), or with `align` (image only) cropped by the
// faceapi-68 landmarks onto the ArcFace template at size². The stereo maps of image m are solved at
// size² from m and stereo_images − 1 other images of m's identity drawn from
// `members` (a seeded draw, redrawn up to 8 times when the lights do not span
// 3-D), with lights from the Yale B file names. Throws Error naming the file
// for an unreadable image, `align` with stereo, a name without a light code, an identity with
// fewer than stereo_images images in `members`, or maps that cannot be solved.
std::vector<torch::Tensor> build_samples(const FaceFolder& folder, const std::vector<int>& members,
                                         const Modalities& modalities, int size, int stereo_images, uint64_t seed,
                                         bool align = false);

// The network input of a batch N×C×H×W of samples: intensity channels
// (x · 255 − 127.5) / 128 — on 8-bit pixels the card's (p − 127.5) / 128 —
// the others unchanged.
torch::Tensor normalize_batch(const torch::Tensor& batch, const std::vector<ChannelRole>& roles);

}  // namespace facekit::train
