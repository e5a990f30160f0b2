// Augmentation of one sample with one random draw for all its channels, so
// that the modalities of a sample (an image and its stereo maps) stay
// registered: the same shift, the same flip, the same brightness, the same
// noise field.
#pragma once

#include <random>
#include <vector>

#include <torch/torch.h>

namespace facekit::train {

// What a channel holds decides what the augmentation may do to it.
enum class ChannelRole {
  kIntensity,  // image or albedo, about [0, 1]: brightness and noise apply
  kNormalX,    // the x component of a normal: negated by a horizontal flip
  kGeometry,   // normal y, z and depth: only moved
};

struct AugmentOptions {
  int max_shift = 8;         // pixels, each axis; the uncovered border is 0
  bool flip = true;          // horizontal, with probability 1/2
  float brightness = 0.25f;  // intensity × a factor uniform in [1 − b, 1 + b]
  float noise = 0.02f;       // standard deviation of additive Gaussian noise on intensities
};

// `sample` C×H×W float (C = roles.size()); returns a new tensor. Draws from
// `rng` the same number of times whatever the sample. Throws Error when the
// channel count differs from roles.size().
torch::Tensor augment(const torch::Tensor& sample, const std::vector<ChannelRole>& roles,
                      const AugmentOptions& options, std::mt19937_64& rng);

}  // namespace facekit::train
