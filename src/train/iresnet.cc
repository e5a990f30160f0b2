// iResNet (Deng et al., ArcFace, 2019): pre-activation-style residual blocks
// BN–conv3×3–BN–PReLU–conv3×3(stride)–BN, each stage halving the map, and
// the BN–dropout–FC–BN embedding head.
#include "train/architectures.h"

#include "facekit/error.h"
#include "train/blocks.h"

namespace facekit::train {

namespace {

constexpr int kWidths[4] = {64, 128, 256, 512};

class IBasicBlockImpl : public torch::nn::Module {
 public:
  IBasicBlockImpl(int in, int out, int stride) {
    bn_ = register_module("bn1", torch::nn::BatchNorm2d(in));
    conv1_ = register_module("conv1", ConvBn(ConvSpec{.in = in, .out = out}));
    conv2_ = register_module("conv2", ConvBn(ConvSpec{.in = out, .out = out, .stride = stride, .prelu = false}));
    if (stride != 1 || in != out)
      downsample_ = register_module(
          "downsample", ConvBn(ConvSpec{.in = in, .out = out, .kernel = 1, .stride = stride, .padding = 0, .prelu = false}));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor y = conv2_(conv1_(bn_(x)));
    return y + (downsample_ ? downsample_(x) : x);
  }

  std::string export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const {
    std::string y = export_batch_norm(onnx, *bn_, x, name + ".bn1");
    y = conv1_->export_onnx(onnx, y, name + ".conv1");
    y = conv2_->export_onnx(onnx, y, name + ".conv2");
    const std::string shortcut = downsample_ ? downsample_->export_onnx(onnx, x, name + ".downsample") : x;
    return onnx.add_node("Add", {y, shortcut}, name + ".add");
  }

 private:
  torch::nn::BatchNorm2d bn_{nullptr};
  ConvBn conv1_{nullptr}, conv2_{nullptr}, downsample_{nullptr};
};
TORCH_MODULE(IBasicBlock);

class IResNet : public EmbeddingNet {
 public:
  IResNet(const BackboneOptions& options, const std::vector<int>& blocks_per_stage) : options_(options) {
    stem_ = register_module("stem", ConvBn(ConvSpec{.in = options.in_channels, .out = kWidths[0]}));
    int in = kWidths[0];
    for (size_t stage = 0; stage < blocks_per_stage.size(); ++stage) {
      // Parameters named layer<stage>.<block>.*, as in the ArcFace code.
      auto layer = register_module("layer" + std::to_string(stage + 1), torch::nn::ModuleList());
      for (int b = 0; b < blocks_per_stage[stage]; ++b) {
        blocks_.emplace_back(in, kWidths[stage], b == 0 ? 2 : 1);
        layer->push_back(blocks_.back());
        in = kWidths[stage];
      }
      stage_ends_.push_back(blocks_.size());
      if (options.attention)
        attention_.push_back(register_module("attention" + std::to_string(stage + 1), Attention(in)));
    }
    const int side = options.input_size / 16;
    bn_ = register_module("bn2", torch::nn::BatchNorm2d(in));
    dropout_ = register_module("dropout", torch::nn::Dropout(options.dropout));
    fc_ = register_module("fc", torch::nn::Linear(in * side * side, options.embedding_dim));
    features_ = register_module("features", torch::nn::BatchNorm1d(options.embedding_dim));
    // As in the ArcFace code: the embedding's batch norm only centres and
    // shifts; its scale stays 1 (the FC before it scales).
    torch::NoGradGuard no_grad;
    features_->weight.fill_(1.f);
    features_->weight.set_requires_grad(false);
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = stem_(x);
    size_t block = 0;
    for (size_t stage = 0; stage < stage_ends_.size(); ++stage) {
      for (; block < stage_ends_[stage]; ++block) x = blocks_[block](x);
      if (!attention_.empty()) x = attention_[stage](x);
    }
    x = dropout_(bn_(x)).flatten(1);
    return features_(fc_(x));
  }

  std::string export_onnx(OnnxBuilder& onnx, const std::string& input) const override {
    std::string x = stem_->export_onnx(onnx, input, "stem");
    size_t block = 0;
    for (size_t stage = 0; stage < stage_ends_.size(); ++stage) {
      for (; block < stage_ends_[stage]; ++block)
        x = blocks_[block]->export_onnx(onnx, x, "block" + std::to_string(block));
      if (!attention_.empty()) x = attention_[stage]->export_onnx(onnx, x, "attention" + std::to_string(stage + 1));
    }
    x = export_batch_norm(onnx, *bn_, x, "bn2");
    x = onnx.add_node("Flatten", {x}, "flatten");
    onnx.set_int("axis", 1);
    x = onnx.add_node("Gemm", {x, onnx.add_initializer("fc.weight", fc_->weight), onnx.add_initializer("fc.bias", fc_->bias)},
                      "fc");
    onnx.set_int("transB", 1);
    return export_batch_norm(onnx, *features_, x, "features");
  }

  const BackboneOptions& options() const override { return options_; }

 private:
  BackboneOptions options_;
  ConvBn stem_{nullptr};
  std::vector<IBasicBlock> blocks_;
  std::vector<size_t> stage_ends_;  // index after each stage's last block
  std::vector<Attention> attention_;
  torch::nn::BatchNorm2d bn_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::nn::BatchNorm1d features_{nullptr};
};

}  // namespace

std::shared_ptr<EmbeddingNet> make_iresnet(const BackboneOptions& options, int depth) {
  switch (depth) {
    case 18: return std::make_shared<IResNet>(options, std::vector<int>{2, 2, 2, 2});
    case 34: return std::make_shared<IResNet>(options, std::vector<int>{3, 4, 6, 3});
    case 50: return std::make_shared<IResNet>(options, std::vector<int>{3, 4, 14, 3});
  }
  throw Error("backbone '" + options.name + "': no iResNet of depth " + std::to_string(depth));
}

}  // namespace facekit::train
