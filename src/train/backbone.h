// Embedding networks for training: images N×C×H×W in, embeddings N×D out
// (not normalised). Every backbone can write its inference graph as ONNX, so
// that a trained model runs in facekit's own runtime.
//
//   iresnet18 | iresnet34 | iresnet50   the ArcFace paper's improved ResNet:
//       BN–conv–BN–PReLU–conv–BN residual blocks, BN–dropout–FC–BN head
//   mobilefacenet                        depthwise-separable bottlenecks,
//       global depthwise conv head
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace facekit::train {

class OnnxBuilder;  // onnx_builder.h

struct BackboneOptions {
  std::string name = "iresnet18";
  int in_channels = 3;     // 3 for RGB; more for stacked modalities (albedo, normals, depth)
  int input_size = 112;    // square input side, a multiple of 16
  int embedding_dim = 512;
  float dropout = 0.f;     // before the embedding FC (iResNet head)
  bool attention = false;  // a channel-plus-spatial attention module after each stage
};

class EmbeddingNet : public torch::nn::Module {
 public:
  // N×C×H×W → N×D.
  virtual torch::Tensor forward(torch::Tensor images) = 0;
  // Appends the network's inference graph (eval mode: batch norm with its
  // running statistics, no dropout) to `onnx`, reading value `input`
  // (N×C×H×W); returns the name of the embedding value.
  virtual std::string export_onnx(OnnxBuilder& onnx, const std::string& input) const = 0;
  virtual const BackboneOptions& options() const = 0;
};

// Throws Error listing backbone_names() for an unknown name, or for options
// it cannot build (input_size not a multiple of 16, channels or dim < 1).
std::shared_ptr<EmbeddingNet> make_backbone(const BackboneOptions& options);
std::vector<std::string> backbone_names();

}  // namespace facekit::train
