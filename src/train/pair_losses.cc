// The losses that learn from pairs inside the batch: triplet margin loss with
// online mining, and contrastive pairs as same/different classification.
#include <cmath>
#include <limits>

#include "facekit/error.h"
#include "train/identity_loss_parts.h"

namespace facekit::train {
namespace {

namespace F = torch::nn::functional;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

torch::Tensor unit_rows(const torch::Tensor& embeddings) {
  return F::normalize(embeddings, F::NormalizeFuncOptions().dim(1));
}

// A zero that still belongs to the graph, for batches without a usable pair.
torch::Tensor zero_loss(const torch::Tensor& embeddings) { return embeddings.sum() * 0; }

// max(d(a,p) − d(a,n) + margin, 0), Euclidean on L2-normalised embeddings,
// averaged over the mined triplets.
class TripletLoss : public IdentityLoss {
 public:
  TripletLoss(const LossOptions& options, Mining mining)
      : options_(options), mining_(mining), margin_(options.margin < 0 ? 0.2 : options.margin) {
    check(options.embedding_dim >= 1, options.name + " loss", "embedding_dim must be at least 1");
    check(std::isfinite(margin_), options.name + " loss", "margin must be finite");
  }

  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    check_identity_batch(embeddings, labels, options_.embedding_dim, options_.num_classes, options_.name);
    const torch::Tensor unit = unit_rows(embeddings);
    const Triplets triplets = mine_triplets(torch::cdist(unit.detach(), unit.detach()), labels, mining_, margin_);
    if (triplets.anchor.numel() == 0) return zero_loss(embeddings);
    const torch::Tensor anchors = unit.index_select(0, triplets.anchor);
    const torch::Tensor to_positive = distance(anchors, unit.index_select(0, triplets.positive));
    const torch::Tensor to_negative = distance(anchors, unit.index_select(0, triplets.negative));
    return torch::relu(to_positive - to_negative + margin_).mean();
  }
  bool needs_pk_batches() const override { return true; }

 private:
  // Row-wise Euclidean distance; the floor keeps the gradient finite for
  // identical embeddings.
  static torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).pow(2).sum(1).clamp_min(1e-12).sqrt();
  }

  LossOptions options_;
  Mining mining_;
  double margin_;
};

// Every pair (i < j) of the batch is a binary example, "same identity", with
// logit s·cos(i, j) + b; s (through log s, so it stays positive) and b are
// learned, starting at s = 10, b = −5 (the boundary at cos = 0.5). Positive and
// negative pairs each weigh half, because a P×K batch has far more negatives.
class ContrastiveLoss : public IdentityLoss {
 public:
  explicit ContrastiveLoss(const LossOptions& options) : options_(options) {
    check(options.embedding_dim >= 1, options.name + " loss", "embedding_dim must be at least 1");
    log_scale_ = register_parameter("log_scale", torch::full({1}, std::log(10.0)));
    bias_ = register_parameter("bias", torch::full({1}, -5.0));
  }

  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& labels) override {
    check_identity_batch(embeddings, labels, options_.embedding_dim, options_.num_classes, options_.name);
    check_parameter_dtype(embeddings, bias_, options_.name);
    const int64_t n = embeddings.size(0);
    if (n < 2) return zero_loss(embeddings);
    const torch::Tensor unit = unit_rows(embeddings);
    const torch::Tensor pairs = torch::triu_indices(n, n, 1, labels.options());
    const torch::Tensor first = pairs[0], second = pairs[1];
    const torch::Tensor cos = (unit.index_select(0, first) * unit.index_select(0, second)).sum(1);
    const torch::Tensor same = labels.index_select(0, first) == labels.index_select(0, second);
    const torch::Tensor pair_losses = F::binary_cross_entropy_with_logits(
        log_scale_.exp() * cos + bias_, same.to(cos.scalar_type()),
        F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
    const torch::Tensor positive = pair_losses.masked_select(same), negative = pair_losses.masked_select(~same);
    if (positive.numel() == 0) return negative.mean();
    if (negative.numel() == 0) return positive.mean();
    return 0.5 * (positive.mean() + negative.mean());
  }
  bool needs_pk_batches() const override { return true; }

 private:
  LossOptions options_;
  torch::Tensor log_scale_, bias_;
};

}  // namespace

Triplets mine_triplets(const torch::Tensor& distances, const torch::Tensor& labels, Mining mining, float margin) {
  const std::string context = "mine_triplets";
  check(distances.defined() && distances.dim() == 2 && distances.size(0) == distances.size(1) &&
            distances.is_floating_point(),
        context, "distances must be a floating N×N tensor");
  const int64_t n = distances.size(0);
  check(labels.defined() && labels.dim() == 1 && labels.size(0) == n && labels.scalar_type() == torch::kInt64,
        context, "labels must be int64 of shape " + std::to_string(n));
  check(std::isfinite(margin), context, "margin must be finite");

  torch::NoGradGuard no_grad;
  const torch::Tensor d = distances.detach();
  const torch::Tensor same = labels.unsqueeze(0) == labels.unsqueeze(1);
  const torch::Tensor positive = same & ~torch::eye(n, labels.options().dtype(torch::kBool));
  const torch::Tensor negative = ~same;
  switch (mining) {
    case Mining::kBatchAll: {
      // [a, p, n]: valid and d(a,p) − d(a,n) + margin > 0.
      const torch::Tensor active = positive.unsqueeze(2) & negative.unsqueeze(1) &
                                   (d.unsqueeze(2) - d.unsqueeze(1) + margin > 0);
      const torch::Tensor index = active.nonzero();
      return {index.select(1, 0), index.select(1, 1), index.select(1, 2)};
    }
    case Mining::kBatchHard: {
      const torch::Tensor anchors = (positive.any(1) & negative.any(1)).nonzero().squeeze(1);
      const torch::Tensor farthest_positive = d.masked_fill(~positive, -kInfinity).argmax(1);
      const torch::Tensor nearest_negative = d.masked_fill(~negative, kInfinity).argmin(1);
      return {anchors, farthest_positive.index_select(0, anchors), nearest_negative.index_select(0, anchors)};
    }
    case Mining::kSemiHard: {
      const torch::Tensor pairs = (positive & negative.any(1).unsqueeze(1)).nonzero();
      const torch::Tensor anchors = pairs.select(1, 0), positives = pairs.select(1, 1);
      const torch::Tensor to_positive = d.index({anchors, positives}).unsqueeze(1);
      const torch::Tensor to_all = d.index_select(0, anchors);
      const torch::Tensor candidate = negative.index_select(0, anchors);
      const torch::Tensor semi_hard = candidate & (to_all > to_positive) & (to_all < to_positive + margin);
      const torch::Tensor nearest_semi_hard = to_all.masked_fill(~semi_hard, kInfinity).argmin(1);
      const torch::Tensor hardest = to_all.masked_fill(~candidate, kInfinity).argmin(1);
      return {anchors, positives, torch::where(semi_hard.any(1), nearest_semi_hard, hardest)};
    }
  }
  throw Error(context + ": unknown mining");
}

std::shared_ptr<IdentityLoss> make_triplet_loss(const LossOptions& options, Mining mining) {
  return std::make_shared<TripletLoss>(options, mining);
}
std::shared_ptr<IdentityLoss> make_contrastive_loss(const LossOptions& options) {
  return std::make_shared<ContrastiveLoss>(options);
}

}  // namespace facekit::train
