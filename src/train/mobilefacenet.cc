// MobileFaceNet (Chen et al., 2018): a MobileNetV2-style stack of inverted
// bottlenecks ending in a global depthwise convolution over the last map
// (input/16 on a side) and a linear 1×1 convolution to the embedding.
#include "train/architectures.h"
#include "train/blocks.h"

namespace facekit::train {

namespace {

// Expand 1×1 → depthwise 3×3 (stride) → linear project 1×1, with the input
// added back when the shapes allow.
class BottleneckImpl : public torch::nn::Module {
 public:
  BottleneckImpl(int in, int out, int expansion, int stride) : residual_(stride == 1 && in == out) {
    const int hidden = in * expansion;
    expand_ = register_module("expand", ConvBn(ConvSpec{.in = in, .out = hidden, .kernel = 1, .padding = 0}));
    depthwise_ = register_module("depthwise", ConvBn(ConvSpec{.in = hidden, .out = hidden, .stride = stride, .groups = hidden}));
    project_ = register_module("project",
                               ConvBn(ConvSpec{.in = hidden, .out = out, .kernel = 1, .padding = 0, .prelu = false}));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor y = project_(depthwise_(expand_(x)));
    return residual_ ? y + x : y;
  }

  std::string export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const {
    std::string y = expand_->export_onnx(onnx, x, name + ".expand");
    y = depthwise_->export_onnx(onnx, y, name + ".depthwise");
    y = project_->export_onnx(onnx, y, name + ".project");
    return residual_ ? onnx.add_node("Add", {y, x}, name + ".add") : y;
  }

 private:
  bool residual_;
  ConvBn expand_{nullptr}, depthwise_{nullptr}, project_{nullptr};
};
TORCH_MODULE(Bottleneck);

// The paper's Table 1: expansion t, output channels c, repeats n, first stride s.
struct Stage {
  int expansion, channels, repeats, stride;
};
constexpr Stage kStages[] = {{2, 64, 5, 2}, {4, 128, 1, 2}, {2, 128, 6, 1}, {4, 128, 1, 2}, {2, 128, 2, 1}};
constexpr int kStemWidth = 64, kHeadWidth = 512;

class MobileFaceNet : public EmbeddingNet {
 public:
  explicit MobileFaceNet(const BackboneOptions& options) : options_(options) {
    stem_ = register_module("stem", ConvBn(ConvSpec{.in = options.in_channels, .out = kStemWidth, .stride = 2}));
    stem_depthwise_ = register_module(
        "stem_depthwise", ConvBn(ConvSpec{.in = kStemWidth, .out = kStemWidth, .groups = kStemWidth}));
    int in = kStemWidth;
    for (const Stage& s : kStages) {
      for (int r = 0; r < s.repeats; ++r) {
        const std::string name = "bottleneck" + std::to_string(blocks_.size());
        blocks_.push_back(register_module(name, Bottleneck(in, s.channels, s.expansion, r == 0 ? s.stride : 1)));
        in = s.channels;
      }
      stage_ends_.push_back(blocks_.size());
      if (options.attention)
        attention_.push_back(register_module("attention" + std::to_string(stage_ends_.size()), Attention(in)));
    }
    const int side = options.input_size / 16;
    head_ = register_module("head", ConvBn(ConvSpec{.in = in, .out = kHeadWidth, .kernel = 1, .padding = 0}));
    global_depthwise_ = register_module(
        "global_depthwise", ConvBn(ConvSpec{.in = kHeadWidth, .out = kHeadWidth, .kernel = side, .padding = 0,
                                            .groups = kHeadWidth, .prelu = false}));
    embedding_ = register_module("embedding", ConvBn(ConvSpec{.in = kHeadWidth, .out = options.embedding_dim,
                                                              .kernel = 1, .padding = 0, .prelu = false}));
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = stem_depthwise_(stem_(x));
    size_t block = 0;
    for (size_t stage = 0; stage < stage_ends_.size(); ++stage) {
      for (; block < stage_ends_[stage]; ++block) x = blocks_[block](x);
      if (!attention_.empty()) x = attention_[stage](x);
    }
    return embedding_(global_depthwise_(head_(x))).flatten(1);
  }

  std::string export_onnx(OnnxBuilder& onnx, const std::string& input) const override {
    std::string x = stem_->export_onnx(onnx, input, "stem");
    x = stem_depthwise_->export_onnx(onnx, x, "stem_depthwise");
    size_t block = 0;
    for (size_t stage = 0; stage < stage_ends_.size(); ++stage) {
      for (; block < stage_ends_[stage]; ++block)
        x = blocks_[block]->export_onnx(onnx, x, "bottleneck" + std::to_string(block));
      if (!attention_.empty()) x = attention_[stage]->export_onnx(onnx, x, "attention" + std::to_string(stage + 1));
    }
    x = head_->export_onnx(onnx, x, "head");
    x = global_depthwise_->export_onnx(onnx, x, "global_depthwise");
    x = embedding_->export_onnx(onnx, x, "embedding_conv");
    x = onnx.add_node("Flatten", {x}, "flatten");
    onnx.set_int("axis", 1);
    return x;
  }

  const BackboneOptions& options() const override { return options_; }

 private:
  BackboneOptions options_;
  ConvBn stem_{nullptr}, stem_depthwise_{nullptr};
  std::vector<Bottleneck> blocks_;
  std::vector<size_t> stage_ends_;  // index after each stage's last bottleneck
  std::vector<Attention> attention_;
  ConvBn head_{nullptr}, global_depthwise_{nullptr}, embedding_{nullptr};
};

}  // namespace

std::shared_ptr<EmbeddingNet> make_mobilefacenet(const BackboneOptions& options) {
  return std::make_shared<MobileFaceNet>(options);
}

}  // namespace facekit::train
