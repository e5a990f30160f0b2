// The backbones' architectures: parameter counts derived by hand from the
// papers' layer tables (and the published totals), output shapes, PReLU
// activations, and refusal of bad options.
#include <gtest/gtest.h>

#include "facekit/error.h"
#include "train/backbone.h"

namespace facekit::train {
namespace {

int64_t parameter_count(torch::nn::Module& net) {
  int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

int prelu_count(torch::nn::Module& net) {
  int n = 0;
  for (const auto& m : net.modules()) n += m->as<torch::nn::PReLU>() != nullptr;
  return n;
}

// iResNet by hand: conv weights, 2 per batch-norm channel (scale, shift), 1
// per PReLU channel. Every stage opens with a stride-2 block, whose shortcut
// is a 1×1 conv + BN.
int64_t iresnet_parameters(const std::vector<int>& blocks, int size, int dim) {
  const int widths[] = {64, 128, 256, 512};
  int64_t n = 3 * 64 * 9 + 2 * 64 + 64;  // stem conv, BN, PReLU
  int64_t in = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t c = widths[stage];
    for (int b = 0; b < blocks[stage]; ++b) {
      n += 2 * in + in * c * 9 + 2 * c + c + c * c * 9 + 2 * c;  // BN conv BN PReLU conv BN
      if (b == 0) n += in * c + 2 * c;                           // shortcut
      in = c;
    }
  }
  const int64_t side = size / 16;
  return n + 2 * 512 + 512 * side * side * dim + dim + 2 * dim;  // BN, FC + bias, BN1d
}

TEST(Backbones, IResNetParameterCountsMatchTheArchitecture) {
  const std::pair<const char*, std::vector<int>> nets[] = {
      {"iresnet18", {2, 2, 2, 2}}, {"iresnet34", {3, 4, 6, 3}}, {"iresnet50", {3, 4, 14, 3}}};
  for (const auto& [name, blocks] : nets) {
    auto net = make_backbone({.name = name});
    EXPECT_EQ(parameter_count(*net), iresnet_parameters(blocks, 112, 512)) << name;
  }
  // The published size of ArcFace's R50 at 112×112, 512-D: 43.6M.
  auto r50 = make_backbone({.name = "iresnet50"});
  EXPECT_NEAR(parameter_count(*r50) / 1e6, 43.6, 0.05);
}

TEST(Backbones, MobileFaceNetParameterCountMatchesThePaper) {
  auto net = make_backbone({.name = "mobilefacenet", .embedding_dim = 128});
  // Table 1 of the paper by hand: (expansion, channels, repeats) stages with
  // expand 1×1, depthwise 3×3, project 1×1; conv weights only.
  auto conv = [](int64_t in, int64_t out, int64_t k, int64_t groups = 1) { return in / groups * out * k * k; };
  int64_t weights = conv(3, 64, 3) + conv(64, 64, 3, 64), affine = 3 * 64 + 3 * 64;
  int64_t in = 64;
  for (const auto& [t, c, repeats] : {std::tuple{2, 64, 5}, {4, 128, 1}, {2, 128, 6}, {4, 128, 1}, {2, 128, 2}}) {
    for (int r = 0; r < repeats; ++r) {
      const int64_t h = in * t;
      weights += conv(in, h, 1) + conv(h, h, 3, h) + conv(h, c, 1);
      affine += 3 * h + 3 * h + 2 * c;  // BN + PReLU, BN + PReLU, BN
      in = c;
    }
  }
  weights += conv(128, 512, 1) + conv(512, 512, 7, 512) + conv(512, 128, 1);
  affine += 3 * 512 + 2 * 512 + 2 * 128;
  EXPECT_EQ(parameter_count(*net), weights + affine);
  // The paper's 0.99M (weights).
  EXPECT_NEAR(weights / 1e6, 0.99, 0.02);
}

TEST(Backbones, EmbeddingShapes) {
  torch::NoGradGuard no_grad;
  for (const auto& name : backbone_names()) {
    for (const int size : {64, 112}) {
      if (name == "iresnet50" && size == 112) continue;  // the slowest; its count is checked above
      auto net = make_backbone({.name = name, .input_size = size, .embedding_dim = 96});
      net->eval();
      const torch::Tensor e = net->forward(torch::randn({2, 3, size, size}));
      EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 96})) << name << " at " << size;
    }
  }
  // Stacked modalities: more input channels.
  auto net = make_backbone({.name = "iresnet18", .in_channels = 5, .input_size = 32, .embedding_dim = 16});
  net->eval();
  EXPECT_EQ(net->forward(torch::randn({1, 5, 32, 32})).sizes(), (std::vector<int64_t>{1, 16}));
}

// The final map is input/16: the FC of iResNet-18 at 64 px reads 512×4×4.
TEST(Backbones, FinalMapIsAStride16) {
  const std::vector<int> r18{2, 2, 2, 2};
  for (const int size : {32, 64, 96}) {
    auto net = make_backbone({.name = "iresnet18", .input_size = size, .embedding_dim = 8});
    EXPECT_EQ(parameter_count(*net), iresnet_parameters(r18, size, 8)) << size;
  }
}

TEST(Backbones, PReLUActivations) {
  // iResNet-18: the stem's and one per block; MobileFaceNet: two in the stem,
  // two per bottleneck (15), one before the global depthwise conv.
  EXPECT_EQ(prelu_count(*make_backbone({.name = "iresnet18"})), 1 + 8);
  EXPECT_EQ(prelu_count(*make_backbone({.name = "mobilefacenet"})), 2 + 2 * 15 + 1);
}

TEST(Backbones, AttentionAddsItsModules) {
  // Per stage of C channels: the channel MLP C→h→C (h = max(C/16, 8)) and
  // the 7×7 spatial conv over 2 maps.
  auto extra = [](int64_t c) {
    const int64_t h = std::max<int64_t>(c / 16, 8);
    return 2 * c * h + 2 * 49;
  };
  const int64_t plain = parameter_count(*make_backbone({.name = "iresnet18", .input_size = 64}));
  const int64_t with = parameter_count(*make_backbone({.name = "iresnet18", .input_size = 64, .attention = true}));
  EXPECT_EQ(with - plain, extra(64) + extra(128) + extra(256) + extra(512));
}

TEST(Backbones, TrainModeGradientsReachEveryParameter) {
  auto net = make_backbone({.name = "iresnet18", .input_size = 32, .embedding_dim = 8, .dropout = 0.2f,
                            .attention = true});
  net->train();
  net->forward(torch::randn({4, 3, 32, 32})).pow(2).sum().backward();
  for (const auto& p : net->named_parameters()) {
    if (!p.value().requires_grad()) continue;
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(Backbones, BadOptionsAreRefused) {
  try {
    make_backbone({.name = "resnet9000"});
    FAIL() << "unknown name accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("iresnet50"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_backbone({.name = "iresnet18", .input_size = 100}), Error);
  EXPECT_THROW(make_backbone({.name = "iresnet18", .input_size = 0}), Error);
  EXPECT_THROW(make_backbone({.name = "iresnet18", .input_size = -16}), Error);
  EXPECT_THROW(make_backbone({.name = "mobilefacenet", .in_channels = 0}), Error);
  EXPECT_THROW(make_backbone({.name = "mobilefacenet", .embedding_dim = 0}), Error);
  EXPECT_THROW(make_backbone({.name = "iresnet18", .dropout = 1.f}), Error);
  EXPECT_THROW(make_backbone({.name = "iresnet18", .dropout = NAN}), Error);
}

}  // namespace
}  // namespace facekit::train
