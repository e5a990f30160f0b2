// ShapeCache: per-input-shape state (a oneDNN primitive and its memories).
// Models run at a handful of shapes (P-Net at each pyramid level), so a
// short vector searched linearly is all it takes; past kCapacity shapes (a
// caller feeding ever-new sizes) the oldest entry is dropped.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "facekit/nn/tensor.h"

namespace facekit::nn::fast {

template <class Plan>
class ShapeCache {
 public:
  // The plan made for `key`, or null.
  Plan* find(const std::vector<Shape>& key) {
    for (auto& [k, plan] : entries_)
      if (k == key) return plan.get();
    return nullptr;
  }
  // find({key}) without building the key list (kernels call it every run).
  Plan* find(const Shape& key) {
    for (auto& [k, plan] : entries_)
      if (k.size() == 1 && k[0] == key) return plan.get();
    return nullptr;
  }
  // Pointers from find() and add() stay valid until the next add().
  Plan& add(std::vector<Shape> key, std::unique_ptr<Plan> plan) {
    if (entries_.size() >= kCapacity) entries_.erase(entries_.begin());
    entries_.emplace_back(std::move(key), std::move(plan));
    return *entries_.back().second;
  }

 private:
  static constexpr size_t kCapacity = 64;
  std::vector<std::pair<std::vector<Shape>, std::unique_ptr<Plan>>> entries_;
};

}  // namespace facekit::nn::fast
