// The classification losses: a class-weight matrix (num_classes × D, a
// registered parameter, so the optimiser trains it) and cross-entropy over
// logits built from it — plain (softmax) or with a margin on the true class's
// cosine (cosface, arcface, magface).
#include <cmath>
#include <numbers>

#include "facekit/error.h"
#include "train/identity_loss_parts.h"

namespace facekit::train {
namespace {

namespace F = torch::nn::functional;

void check_classifier_options(const LossOptions& options, bool uses_scale) {
  const std::string context = options.name + " loss";
  check(options.num_classes >= 2, context,
        "num_classes is " + std::to_string(options.num_classes) + ", a classifier needs at least 2");
  check(options.embedding_dim >= 1, context, "embedding_dim must be at least 1");
  check(!uses_scale || (std::isfinite(options.scale) && options.scale > 0), context,
        "scale must be positive, got " + std::to_string(options.scale));
}

class ClassifierLoss : public IdentityLoss {
 public:
  ClassifierLoss(const LossOptions& options, bool uses_scale) : options_(options) {
    check_classifier_options(options, uses_scale);
    weight_ = register_parameter("weight", torch::randn({options.num_classes, options.embedding_dim}) * 0.01);
  }

  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    check_identity_batch(embeddings, labels, options_.embedding_dim, options_.num_classes, options_.name);
    check_parameter_dtype(embeddings, weight_, options_.name);
    return loss_of(embeddings, labels);
  }
  bool needs_pk_batches() const override { return false; }

 protected:
  virtual torch::Tensor loss_of(const torch::Tensor& embeddings, const torch::Tensor& labels) = 0;

  // N×C cosines between the embeddings and the class weights.
  torch::Tensor cosines(const torch::Tensor& embeddings) const {
    return torch::mm(F::normalize(embeddings, F::NormalizeFuncOptions().dim(1)),
                     F::normalize(weight_, F::NormalizeFuncOptions().dim(1)).t());
  }
  // Cross-entropy of s·cosines, the true class's cosine replaced by `target` (N×1).
  torch::Tensor margin_cross_entropy(const torch::Tensor& cosines, const torch::Tensor& labels,
                                     const torch::Tensor& target) const {
    return F::cross_entropy(options_.scale * cosines.scatter(1, labels.unsqueeze(1), target), labels);
  }

  LossOptions options_;
  torch::Tensor weight_;
};

// cos(θ + m) of the true class's cosine (N×1) with margin `m` (a scalar or N×1).
// Past θ = π − m, cos(θ + m) would rise again with θ; there the target is
// cos θ − m·sin m instead (InsightFace's rule, not the "easy margin"), which
// keeps it falling and the gradient alive.
torch::Tensor additive_angular_margin(const torch::Tensor& cos_t, const torch::Tensor& m) {
  // The floor keeps the square root's gradient finite at cos θ = ±1.
  const torch::Tensor sin_t = (1 - cos_t * cos_t).clamp_min(1e-12).sqrt();
  const torch::Tensor cos_m = torch::cos(m), sin_m = torch::sin(m);
  const torch::Tensor rotated = cos_t * cos_m - sin_t * sin_m;
  return torch::where(cos_t > -cos_m, rotated, cos_t - m * sin_m);
}

class SoftmaxLoss : public ClassifierLoss {
 public:
  explicit SoftmaxLoss(const LossOptions& options) : ClassifierLoss(options, false) {
    bias_ = register_parameter("bias", torch::zeros({options.num_classes}));
  }

 private:
  torch::Tensor loss_of(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    return F::cross_entropy(F::linear(embeddings, weight_, bias_), labels);
  }
  torch::Tensor bias_;
};

class CosFaceLoss : public ClassifierLoss {
 public:
  explicit CosFaceLoss(const LossOptions& options)
      : ClassifierLoss(options, true), margin_(options.margin < 0 ? 0.35 : options.margin) {
    check(margin_ <= 2, options.name + " loss", "margin must be at most 2 (the range of a cosine)");
  }

 private:
  torch::Tensor loss_of(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    const torch::Tensor cos = cosines(embeddings);
    return margin_cross_entropy(cos, labels, cos.gather(1, labels.unsqueeze(1)) - margin_);
  }
  double margin_;
};

class ArcFaceLoss : public ClassifierLoss {
 public:
  explicit ArcFaceLoss(const LossOptions& options)
      : ClassifierLoss(options, true), margin_(options.margin < 0 ? 0.5 : options.margin) {
    check(margin_ < std::numbers::pi, options.name + " loss", "margin must be below π");
  }

 private:
  torch::Tensor loss_of(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    const torch::Tensor cos = cosines(embeddings);
    const torch::Tensor m = torch::full({1}, margin_, cos.options());
    return margin_cross_entropy(cos, labels, additive_angular_margin(cos.gather(1, labels.unsqueeze(1)), m));
  }
  double margin_;
};

// Meng et al.: the norm a (clamped to [a_lower, a_upper]) sets the margin,
// linear from m_lower to m_upper, and λ_g·(1/a + a/a_upper²) pulls easy faces
// to large norms, so that the norm reads as quality.
class MagFaceLoss : public ClassifierLoss {
 public:
  explicit MagFaceLoss(const LossOptions& options) : ClassifierLoss(options, true) {
    const std::string context = options.name + " loss";
    check(options.magface_a_lower > 0 && options.magface_a_lower < options.magface_a_upper, context,
          "need 0 < magface_a_lower < magface_a_upper");
    check(options.magface_m_lower >= 0 && options.magface_m_lower <= options.magface_m_upper &&
              options.magface_m_upper < std::numbers::pi,
          context, "need 0 ≤ magface_m_lower ≤ magface_m_upper < π");
    check(options.magface_lambda_g >= 0, context, "magface_lambda_g must not be negative");
  }

 private:
  torch::Tensor loss_of(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    const double a_lower = options_.magface_a_lower, a_upper = options_.magface_a_upper;
    const double m_lower = options_.magface_m_lower, m_upper = options_.magface_m_upper;
    const torch::Tensor a = embeddings.norm(2, 1, true).clamp(a_lower, a_upper);  // N×1
    const torch::Tensor m = m_lower + (m_upper - m_lower) / (a_upper - a_lower) * (a - a_lower);
    const torch::Tensor cos = cosines(embeddings);
    const torch::Tensor identity = margin_cross_entropy(
        cos, labels, additive_angular_margin(cos.gather(1, labels.unsqueeze(1)), m));
    const torch::Tensor regulariser = (1 / a + a / (a_upper * a_upper)).mean();
    return identity + options_.magface_lambda_g * regulariser;
  }
};

}  // namespace

std::shared_ptr<IdentityLoss> make_softmax_loss(const LossOptions& options) {
  return std::make_shared<SoftmaxLoss>(options);
}
std::shared_ptr<IdentityLoss> make_cosface_loss(const LossOptions& options) {
  return std::make_shared<CosFaceLoss>(options);
}
std::shared_ptr<IdentityLoss> make_arcface_loss(const LossOptions& options) {
  return std::make_shared<ArcFaceLoss>(options);
}
std::shared_ptr<IdentityLoss> make_magface_loss(const LossOptions& options) {
  return std::make_shared<MagFaceLoss>(options);
}

}  // namespace facekit::train
