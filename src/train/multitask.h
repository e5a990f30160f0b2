// A shared backbone with an identity embedding plus attribute heads (glasses,
// emotion, gender, ...). A head marked adversarial sits behind a gradient
// reversal layer: it learns to predict its attribute from the embedding
// while the backbone learns to make the embedding blind to it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "train/backbone.h"

namespace facekit::train {

struct AttributeTask {
  std::string name;
  int classes = 2;
  float weight = 1.f;           // this task's share of the total loss
  bool adversarial = false;     // behind gradient reversal (see above)
  float focal_gamma = 0.f;      // 0: plain cross-entropy
  std::vector<float> class_weights;  // empty: all 1
};

struct MultiTaskOutput {
  torch::Tensor embedding;            // N×D
  std::vector<torch::Tensor> logits;  // per task, in order: N×classes
};

class MultiTaskNetImpl : public torch::nn::Module {
 public:
  MultiTaskNetImpl(std::shared_ptr<EmbeddingNet> backbone, std::vector<AttributeTask> tasks);
  MultiTaskOutput forward(torch::Tensor images);
  EmbeddingNet& backbone() { return *backbone_; }
  const std::vector<AttributeTask>& tasks() const { return tasks_; }

 private:
  std::shared_ptr<EmbeddingNet> backbone_;
  std::vector<AttributeTask> tasks_;
  std::vector<torch::nn::Sequential> heads_;
};
TORCH_MODULE(MultiTaskNet);

// Identity forward, gradient multiplied by −lambda on the way back.
torch::Tensor reverse_gradient(const torch::Tensor& x, double lambda = 1.0);

}  // namespace facekit::train
