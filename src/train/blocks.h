// Layers the backbones share, each able to write its inference form (eval
// mode: batch norm with its running statistics) through an OnnxBuilder.
#pragma once

#include <string>

#include <torch/torch.h>

#include "train/onnx_builder.h"

namespace facekit::train {

// The ONNX form of single torch layers; each reads value `x` and returns the
// output's name, with `name` as the hint for its values.
std::string export_conv(OnnxBuilder& onnx, const torch::nn::Conv2dImpl& conv, const std::string& x,
                        const std::string& name);
std::string export_batch_norm(OnnxBuilder& onnx, const torch::nn::BatchNorm2dImpl& bn, const std::string& x,
                              const std::string& name);
std::string export_batch_norm(OnnxBuilder& onnx, const torch::nn::BatchNorm1dImpl& bn, const std::string& x,
                              const std::string& name);
// PReLU over N×C×H×W with one slope per channel.
std::string export_prelu(OnnxBuilder& onnx, const torch::nn::PReLUImpl& prelu, const std::string& x,
                         const std::string& name);

struct ConvSpec {
  int in = 0, out = 0;
  int kernel = 3, stride = 1, padding = 1, groups = 1;
  bool prelu = true;  // false: a linear unit (conv → BN only)
};

// conv (no bias) → batch norm → PReLU (per channel), or without the PReLU.
class ConvBnImpl : public torch::nn::Module {
 public:
  explicit ConvBnImpl(const ConvSpec& spec);
  torch::Tensor forward(torch::Tensor x);
  std::string export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const;

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
  torch::nn::PReLU prelu_{nullptr};
};
TORCH_MODULE(ConvBn);

// CBAM-style attention (Woo et al. 2018): the map is scaled per channel by
// sigmoid(MLP(avg-pool) + MLP(max-pool)), then per position by
// sigmoid(conv7×7([channel mean, channel max])).
class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(int channels);
  torch::Tensor forward(torch::Tensor x);
  std::string export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const;

 private:
  torch::nn::Conv2d squeeze_{nullptr}, expand_{nullptr};  // the shared channel MLP, as 1×1 convs
  torch::nn::Conv2d spatial_{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace facekit::train
