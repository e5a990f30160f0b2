// The identity losses on a synthetic problem small enough to train in
// seconds (docs/training-losses.md holds the results): which scale and
// margin learn an embedding that carries over to identities never seen.
//
// An image is a 64-D vector: its identity's centre (random normal) plus a
// "lighting" drawn in a fixed 8-D nuisance subspace three times the centres'
// spread, plus small isotropic noise. A 64→256→32 MLP trains 400 Adam steps
// on P×K batches (8 identities × 4 images) drawn from 10 or 100 training
// identities of 16 images; the score is the equal error rate of cosine
// verification over every pair of 10 NEW identities × 20 images, averaged
// over 3 seeds, next to the raw inputs' own.
//   loss_eval
#include <cstdio>
#include <vector>

#include "facekit/eval.h"
#include "train/losses.h"

namespace {

using facekit::train::LossOptions;

struct Samples {
  torch::Tensor inputs, labels;
};

Samples draw_identities(int identities, int per_identity, const torch::Tensor& nuisance, int64_t seed) {
  torch::manual_seed(seed);
  const torch::Tensor centres = torch::randn({identities, 64});
  const torch::Tensor labels = torch::arange(identities).repeat_interleave(per_identity);
  const torch::Tensor lighting = torch::mm(torch::randn({identities * per_identity, 8}) * 3, nuisance.t());
  return {centres.index_select(0, labels) + lighting + 0.3 * torch::randn({identities * per_identity, 64}), labels};
}

// Cosine verification over every pair of `embeddings`.
double verification_eer(const torch::Tensor& embeddings, const torch::Tensor& labels) {
  namespace F = torch::nn::functional;
  const torch::Tensor unit = F::normalize(embeddings, F::NormalizeFuncOptions().dim(1));
  const torch::Tensor cosines = torch::mm(unit, unit.t());
  std::vector<facekit::eval::ScoredPair> pairs;
  for (int64_t i = 0; i < embeddings.size(0); ++i)
    for (int64_t j = i + 1; j < embeddings.size(0); ++j)
      pairs.push_back({1 - cosines[i][j].item<double>(), labels[i].item<int64_t>() == labels[j].item<int64_t>()});
  return facekit::eval::equal_error_rate(facekit::eval::roc(pairs)).rate;
}

// Test-set EER after training with `options` on `training` identities.
double trained_eer(LossOptions options, int training, const torch::Tensor& nuisance, int seed) {
  const Samples train = draw_identities(training, 16, nuisance, seed * 100);
  const Samples test = draw_identities(10, 20, nuisance, seed * 100 + 7);
  torch::manual_seed(seed);
  torch::nn::Sequential net(torch::nn::Linear(64, 256), torch::nn::ReLU(), torch::nn::Linear(256, 32));
  options.embedding_dim = 32;
  // The MLP's embeddings have norms near 2: MagFace's norm range [10, 110]
  // scaled down 10×, so that its margin and regulariser act.
  options.magface_a_lower = 1, options.magface_a_upper = 11;
  options.num_classes = training;
  auto loss = facekit::train::make_identity_loss(options);
  std::vector<torch::Tensor> parameters = net->parameters();
  for (const auto& p : loss->parameters()) parameters.push_back(p);
  torch::optim::Adam optimiser(parameters, torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < 400; ++step) {
    const torch::Tensor identities = torch::randperm(training).slice(0, 0, 8);
    const torch::Tensor picks = identities.repeat_interleave(4) * 16 + torch::randint(16, {identities.size(0) * 4});
    const torch::Tensor value =
        loss->forward(net->forward(train.inputs.index_select(0, picks)), train.labels.index_select(0, picks));
    optimiser.zero_grad();
    value.backward();
    optimiser.step();
  }
  torch::NoGradGuard no_grad;
  return verification_eer(net->forward(test.inputs), test.labels);
}

}  // namespace

int main() {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  const torch::Tensor nuisance = torch::randn({64, 8}) / 8;  // columns of about unit norm
  struct Setting {
    const char* loss;
    float scale, margin;  // scale 0: not used by the loss; margin −1: its default
  };
  const std::vector<Setting> settings = {
      {"softmax", 0, -1},     {"cosface", 64, -1},    {"cosface", 30, -1},      {"cosface", 16, -1},
      {"arcface", 64, -1},    {"arcface", 30, -1},    {"arcface", 16, -1},      {"arcface", 16, 0.3f},
      {"magface", 64, -1},    {"magface", 16, -1},    {"triplet-all", 0, -1},   {"triplet-hard", 0, -1},
      {"triplet-semihard", 0, -1}, {"contrastive", 0, -1}};
  constexpr int kSeeds = 3;
  double raw = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const Samples test = draw_identities(10, 20, nuisance, seed * 100 + 7);
    raw += verification_eer(test.inputs, test.labels) / kSeeds;
  }
  std::printf("raw inputs: EER %.3f\n\n| loss | scale | margin | EER, 10 identities | EER, 100 identities |\n"
              "|---|---|---|---|---|\n", raw);
  for (const auto& setting : settings) {
    LossOptions options;
    options.name = setting.loss;
    if (setting.scale > 0) options.scale = setting.scale;
    options.margin = setting.margin;
    double eer[2] = {0, 0};
    for (int seed = 1; seed <= kSeeds; ++seed)
      for (int i = 0; i < 2; ++i) eer[i] += trained_eer(options, i == 0 ? 10 : 100, nuisance, seed) / kSeeds;
    std::printf("| %s | %s | %s | %.3f | %.3f |\n", setting.loss,
                setting.scale > 0 ? std::to_string(int(setting.scale)).c_str() : "–",
                setting.margin < 0 ? "default" : std::to_string(setting.margin).substr(0, 4).c_str(), eer[0], eer[1]);
    std::fflush(stdout);
  }
}
