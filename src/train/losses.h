// Identity losses over a batch of embeddings with integer labels 0..C−1, and
// the focal loss for attribute heads.
//
//   softmax        a linear classifier (weights and bias) with cross-entropy
//   cosface        s·(cos θ − m) for the true class (CosFace / AM-softmax),
//                  m 0.35 by default
//   arcface        s·cos(θ + m) for the true class (additive angular margin),
//                  m 0.5 by default; past θ = π − m the target is
//                  cos θ − m·sin m (InsightFace's rule, not the easy margin)
//   magface        arcface with a margin growing with the embedding's norm a
//                  (clamped to [a_lower, a_upper]), plus λ_g·(1/a + a/a_upper²)
//                  (the norm is the quality: embedding_quality)
//   triplet-all | triplet-hard | triplet-semihard
//                  max(d(a,p) − d(a,n) + m, 0), Euclidean on L2-normalised
//                  embeddings, m 0.2 by default, averaged over the triplets
//                  mine_triplets picks inside the batch
//   contrastive    every pair of the batch as same/different binary
//                  classification, logit s·cos + b with s and b learned
//                  (from 10 and −5); positive and negative pairs weigh half
//                  each; margin and scale are not used
//
// The classifiers (softmax, cosface, arcface, magface) hold their class
// weights (num_classes × D) as the parameter "weight", trained with the
// network. Every loss runs in its parameters' dtype: to(torch::kDouble) for
// double embeddings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace facekit::train {

struct LossOptions {
  std::string name = "arcface";
  int embedding_dim = 512;
  int num_classes = 0;   // identities; the classification losses need ≥ 2
  float margin = -1.f;   // < 0: the loss's usual default
  float scale = 64.f;    // s of the margin losses
  // MagFace: margin from m_lower to m_upper as the norm goes from a_lower to
  // a_upper; lambda_g weighs the norm regulariser.
  float magface_a_lower = 10.f, magface_a_upper = 110.f;
  float magface_m_lower = 0.45f, magface_m_upper = 0.8f, magface_lambda_g = 35.f;
};

class IdentityLoss : public torch::nn::Module {
 public:
  // The scalar loss of `embeddings` (N×D, not normalised) with `labels` (N,
  // int64, ≥ 0 and below num_classes when that is > 0). Throws Error for
  // other shapes or dtypes, or an out-of-range label.
  virtual torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& labels) = 0;
  // True for losses that learn from pairs inside the batch (triplet,
  // contrastive): their batches need several images per identity (P×K).
  virtual bool needs_pk_batches() const = 0;
};

// Throws Error listing identity_loss_names() for an unknown name, or for
// options the loss cannot use (num_classes < 2 for a classifier, ...).
std::shared_ptr<IdentityLoss> make_identity_loss(const LossOptions& options);
std::vector<std::string> identity_loss_names();

// MagFace's quality of each embedding (N×D → N): its L2 norm, detached.
// Only a magface-trained network makes the norm a quality; it is read from
// the unnormalised embedding, before any L2 normalisation.
torch::Tensor embedding_quality(const torch::Tensor& embeddings);

enum class Mining { kBatchAll, kBatchHard, kSemiHard };

// Triplets as index tensors into the batch (int64, equal lengths).
struct Triplets {
  torch::Tensor anchor, positive, negative;
};

// Triplets from a batch's pairwise `distances` (N×N) and `labels` (N):
//   batch-all   every valid (a, p, n) whose loss is positive
//   batch-hard  per anchor, its farthest positive and nearest negative
//   semi-hard   per (a, p), the nearest negative farther than p but within
//               the margin (the hardest negative when there is none)
// An anchor without a positive or a negative in the batch gives no triplet.
// Throws Error for distances not N×N or labels not N int64.
Triplets mine_triplets(const torch::Tensor& distances, const torch::Tensor& labels, Mining mining,
                       float margin);

// Mean focal loss (Lin et al.) of `logits` (N×C) for `targets` (N, int64):
// −w_t·(1 − p_t)^gamma·log p_t averaged over the N rows (not divided by the
// weights' sum); gamma 0 is weighted cross-entropy. `class_weights` (C, not
// negative) may be undefined: all 1. Throws Error for bad shapes, a target
// outside [0, C) or gamma < 0.
torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double gamma,
                         const torch::Tensor& class_weights = {});

}  // namespace facekit::train
