// What the identity losses share inside src/train: the batch check and one
// constructor per family, which identity_loss.cc's factory dispatches to.
#pragma once

#include <memory>
#include <string>

#include "train/losses.h"

namespace facekit::train {

// Throws Error naming `loss` unless `embeddings` is a floating N×D tensor with
// N ≥ 1 and D == embedding_dim, and `labels` is int64 of shape N with every
// label in [0, num_classes) (only ≥ 0 when num_classes is 0).
void check_identity_batch(const torch::Tensor& embeddings, const torch::Tensor& labels, int embedding_dim,
                          int num_classes, const std::string& loss);
// Throws Error naming `loss` unless `embeddings` has the dtype of the loss's
// `parameter` (a loss in double needs to(torch::kDouble) first).
void check_parameter_dtype(const torch::Tensor& embeddings, const torch::Tensor& parameter, const std::string& loss);

// Each validates the options it reads and throws Error for those it cannot use.
std::shared_ptr<IdentityLoss> make_softmax_loss(const LossOptions& options);
std::shared_ptr<IdentityLoss> make_cosface_loss(const LossOptions& options);
std::shared_ptr<IdentityLoss> make_arcface_loss(const LossOptions& options);
std::shared_ptr<IdentityLoss> make_magface_loss(const LossOptions& options);
std::shared_ptr<IdentityLoss> make_triplet_loss(const LossOptions& options, Mining mining);
std::shared_ptr<IdentityLoss> make_contrastive_loss(const LossOptions& options);

}  // namespace facekit::train
