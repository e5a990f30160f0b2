// Verification on held-out samples: every pair, scored by cosine distance.
#pragma once

#include <vector>

#include <torch/torch.h>

#include "facekit/eval.h"
#include "train/augment.h"
#include "train/multitask.h"

namespace facekit::train {

// The embeddings (N×D, on the CPU, not normalised) of `samples` by `net` in
// evaluation mode (batch norm with running statistics, no dropout, no
// gradient), in batches of `batch`; the network's mode is restored.
torch::Tensor embed_samples(MultiTaskNet& net, const std::vector<torch::Tensor>& samples,
                            const std::vector<ChannelRole>& roles, const torch::Device& device, int batch = 64);

// Every pair i < j of the rows of `embeddings`, its cosine distance 1 − cos
// and whether labels[i] == labels[j].
std::vector<eval::ScoredPair> all_pairs(const torch::Tensor& embeddings, const std::vector<int>& labels);

}  // namespace facekit::train
