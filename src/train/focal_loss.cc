// Focal loss (Lin et al., "Focal Loss for Dense Object Detection") for the
// attribute heads.
#include <cmath>

#include "facekit/error.h"
#include "train/losses.h"

namespace facekit::train {

torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double gamma,
                         const torch::Tensor& class_weights) {
  const std::string context = "focal_loss";
  check(logits.defined() && logits.dim() == 2 && logits.size(0) >= 1 && logits.size(1) >= 1 &&
            logits.is_floating_point(),
        context, "logits must be a floating N×C tensor with N, C ≥ 1");
  const int64_t n = logits.size(0), classes = logits.size(1);
  check(targets.defined() && targets.dim() == 1 && targets.size(0) == n && targets.scalar_type() == torch::kInt64,
        context, "targets must be int64 of shape " + std::to_string(n));
  check(targets.min().item<int64_t>() >= 0 && targets.max().item<int64_t>() < classes, context,
        "a target is outside [0, " + std::to_string(classes) + ")");
  check(std::isfinite(gamma) && gamma >= 0, context, "gamma must be finite and not negative");

  const torch::Tensor log_p = torch::log_softmax(logits, 1).gather(1, targets.unsqueeze(1)).squeeze(1);
  torch::Tensor loss = -log_p;
  if (gamma > 0) {
    // 1 − p by expm1, exact near p = 1; the floor keeps the gradient of the
    // power finite for gamma < 1 when p rounds to 1.
    const torch::Tensor miss = (-torch::expm1(log_p)).clamp_min(1e-30);
    loss = loss * miss.pow(gamma);
  }
  if (class_weights.defined()) {
    check(class_weights.dim() == 1 && class_weights.size(0) == classes, context,
          "class_weights must have one weight per class (" + std::to_string(classes) + ")");
    check((class_weights >= 0).all().item<bool>(), context, "class_weights must not be negative");
    loss = loss * class_weights.to(logits.scalar_type()).index_select(0, targets);
  }
  return loss.mean();
}

}  // namespace facekit::train
