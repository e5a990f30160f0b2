// Random float tensors for the neural runtime's tests, drawn from the
// caller's generator so that a fixed seed gives fixed inputs.
#pragma once

#include <random>
#include <utility>
#include <vector>

#include "facekit/nn/tensor.h"

namespace facekit::testing {

// A float32 tensor of `shape` (no unknown dimension) with values uniform in [lo, hi).
inline nn::Tensor random_tensor(nn::Shape shape, std::mt19937& rng, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(nn::shape_numel(shape)));
  for (float& x : v) x = dist(rng);
  return nn::Tensor::from_floats(std::move(shape), v);
}

}  // namespace facekit::testing
