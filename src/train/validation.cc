#include "train/validation.h"

#include "train/modalities.h"

namespace facekit::train {

torch::Tensor embed_samples(MultiTaskNet& net, const std::vector<torch::Tensor>& samples,
                            const std::vector<ChannelRole>& roles, const torch::Device& device, int batch) {
  const bool was_training = net->is_training();
  net->eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (size_t start = 0; start < samples.size(); start += static_cast<size_t>(batch)) {
    const size_t end = std::min(samples.size(), start + static_cast<size_t>(batch));
    const std::vector<torch::Tensor> chunk(samples.begin() + static_cast<std::ptrdiff_t>(start),
                                           samples.begin() + static_cast<std::ptrdiff_t>(end));
    parts.push_back(net->forward(normalize_batch(torch::stack(chunk), roles).to(device)).embedding.cpu());
  }
  net->train(was_training);
  return torch::cat(parts, 0);
}

std::vector<eval::ScoredPair> all_pairs(const torch::Tensor& embeddings, const std::vector<int>& labels) {
  const torch::Tensor unit = torch::nn::functional::normalize(embeddings.to(torch::kFloat64),
                                                              torch::nn::functional::NormalizeFuncOptions().dim(1));
  const torch::Tensor cosine = unit.mm(unit.t()).contiguous();
  const auto c = cosine.accessor<double, 2>();
  std::vector<eval::ScoredPair> pairs;
  const size_t n = labels.size();
  pairs.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      pairs.push_back({1 - c[static_cast<int64_t>(i)][static_cast<int64_t>(j)], labels[i] == labels[j], -1});
  return pairs;
}

}  // namespace facekit::train
