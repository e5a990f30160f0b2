// Checkpoints: everything a run needs to continue exactly where it stopped —
// the network, the loss's own parameters (class centres), the optimiser's
// state, the epoch, the sampler's random stream, libtorch's generator and the
// log so far — in one file (torch::serialize archives).
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include "facekit/train.h"

namespace facekit::train {

struct RunState {
  int epoch = 0;                     // epochs finished
  std::string rng;                   // the sampler's std::mt19937_64, as its operator<< writes it
  std::vector<EpochReport> history;  // one per finished epoch
  int best_epoch = 0;
};

// Writes atomically (a temporary file renamed over `path`). `fingerprint`
// names the model options; load_checkpoint refuses another. Throws Error
// naming the file when it cannot be written.
void save_checkpoint(const std::string& path, const std::string& fingerprint, torch::nn::Module& model,
                     torch::nn::Module& loss, torch::optim::Optimizer& optimizer, const RunState& state);

// Restores what save_checkpoint wrote into modules and an optimiser built
// with the same options on `device`, and libtorch's CPU generator. Throws Error naming the
// file when it cannot be read or its fingerprint differs.
RunState load_checkpoint(const std::string& path, const std::string& fingerprint, const torch::Device& device,
                         torch::nn::Module& model, torch::nn::Module& loss, torch::optim::Optimizer& optimizer);

// Only the network's weights, on the CPU (for export): throws as load_checkpoint does.
void load_model_weights(const std::string& path, const std::string& fingerprint, torch::nn::Module& model);

}  // namespace facekit::train
