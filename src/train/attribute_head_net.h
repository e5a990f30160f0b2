// The network of facekit's own attribute head (train_attribute_head.h) and
// its ONNX export.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace facekit::train {

// One attribute the head predicts: its name and class names, in output order.
struct HeadAttribute {
  std::string name;
  std::vector<std::string> classes;
};

// x / ‖x‖ → [dropout → linear(hidden) → ReLU] → per attribute dropout →
// linear(classes); forward gives the logits per attribute.
struct AttributeHeadNetImpl : torch::nn::Module {
  AttributeHeadNetImpl(int dimension, int hidden, float dropout, const std::vector<HeadAttribute>& attributes);
  std::vector<torch::Tensor> forward(const torch::Tensor& embeddings);

  int dimension, hidden;
  torch::nn::Dropout drop{nullptr};
  torch::nn::Linear trunk{nullptr};  // empty for hidden 0
  std::vector<torch::nn::Linear> outputs;
};
TORCH_MODULE(AttributeHeadNet);

// Writes `net` (in eval form: no dropout) as ONNX: input "embedding" N×dimension
// (raw), one output per attribute named after it, N×classes, the softmax;
// `card` under kAttributeHeadCardKey. Throws Error naming the file when it
// cannot be written.
void export_attribute_head(AttributeHeadNet& net, const std::vector<HeadAttribute>& attributes,
                           const nlohmann::json& card, const std::string& path);

}  // namespace facekit::train
