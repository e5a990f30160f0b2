// Trained networks in facekit's runtime: a backbone exported as ONNX and
// loaded by the runtime gives libtorch's own embeddings (eval mode), and
// make_recognizer reads the exported card back.

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "train/export.h"
#include "temp_dir.h"
#include "testing.h"
#include "train/onnx_builder.h"

namespace facekit::train {
namespace {

namespace fs = std::filesystem;

constexpr int kSize = 64;  // small inputs keep the tests fast: the final map is 4×4

// A backbone in eval mode with non-trivial batch-norm affine parameters and
// statistics (those of a batch of random images, so that the activations
// stay well scaled) and PReLU slopes differing per channel, so that the
// export of each is exercised: fresh layers are nearly the identity.
std::shared_ptr<EmbeddingNet> eval_net(const std::string& name, bool attention) {
  BackboneOptions o;
  o.name = name;
  o.input_size = kSize;
  o.embedding_dim = 128;
  o.attention = attention;
  o.dropout = 0.4f;  // inactive in eval mode
  auto net = make_backbone(o);
  torch::manual_seed(7);
  torch::NoGradGuard no_grad;
  for (auto& item : net->named_parameters()) {
    const std::string& key = item.key();
    torch::Tensor& p = item.value();
    if (key.ends_with("prelu.weight")) p.uniform_(0.05, 0.4);
    if (key.find("bn") != std::string::npos && key.ends_with(".weight")) p.uniform_(0.7, 1.3);
    if (key.find("bn") != std::string::npos && key.ends_with(".bias")) p.uniform_(-0.1, 0.1);
  }
  for (const auto& m : net->modules()) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bn->options.momentum(1.0);
    if (auto* bn = m->as<torch::nn::BatchNorm1d>()) bn->options.momentum(1.0);
  }
  net->train();
  net->forward(torch::randn({8, 3, kSize, kSize}));  // statistics := this batch's
  net->eval();
  return net;
}

torch::Tensor torch_embeddings(EmbeddingNet& net, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return net.forward(images);
}

nn::Tensor to_runtime(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return nn::Tensor::from_floats(nn::Shape(c.sizes().begin(), c.sizes().end()),
                                 std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel()));
}

torch::Tensor to_torch(const nn::Tensor& t) {
  return torch::from_blob(const_cast<float*>(t.data<float>()), std::vector<int64_t>(t.shape().begin(), t.shape().end()))
      .clone();
}

// Per row: cosine similarity ≥ 0.9999, and the largest absolute difference
// within `max_abs` (reported either way).
void expect_same_embeddings(const torch::Tensor& got, const torch::Tensor& want, double max_abs, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const torch::Tensor cosine = torch::cosine_similarity(got, want, 1);
  const double worst_cosine = cosine.min().item<double>();
  const double abs_error = (got - want).abs().max().item<double>();
  const double scale = want.abs().max().item<double>();
  EXPECT_GE(worst_cosine, 0.9999) << what;
  EXPECT_LE(abs_error, max_abs) << what << " (output scale " << scale << ")";
  std::cout << what << ": max |runtime - libtorch| = " << abs_error << " (scale " << scale
            << "), min cosine = " << worst_cosine << "\n";
}

void expect_onnx_checker_accepts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromIstream(&in)) << path;
  EXPECT_NO_THROW(onnx::checker::check_model(model)) << "the ONNX checker rejects " << path;
}

// ONNX Runtime (tools/oracle/ort_compare.mjs) on the exported file must give
// libtorch's embeddings: a third implementation of the same graph.
void expect_onnx_runtime_agrees(const std::string& model, const torch::Tensor& images, const torch::Tensor& want,
                                const fs::path& dir) {
  if (const auto why = testing::onnx_runtime_unavailable()) {
    std::cout << "ONNX Runtime comparison skipped: " << *why << "\n";
    return;
  }
  const fs::path golden = dir / "case.json";
  std::ofstream bin(dir / "case.bin", std::ios::binary);
  const torch::Tensor in = images.contiguous(), out = want.contiguous();
  bin.write(reinterpret_cast<const char*>(in.data_ptr<float>()), static_cast<std::streamsize>(in.numel() * 4));
  bin.write(reinterpret_cast<const char*>(out.data_ptr<float>()), static_cast<std::streamsize>(out.numel() * 4));
  bin.close();
  const nlohmann::json json = {
      {"inputs", {{{"shape", in.sizes().vec()}, {"dtype", "float32"}, {"offset", 0}}}},
      {"outputs", {{{"shape", out.sizes().vec()}, {"offset", in.numel() * 4}}}}};
  std::ofstream(golden) << json.dump();
  const auto result = testing::compare_with_onnx_runtime(model, golden, 1e-4);
  EXPECT_TRUE(result.ok) << result.report;
  std::cout << "ONNX Runtime vs libtorch: " << result.report;
}

class ExportTest : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(ExportTest, RuntimeMatchesLibtorch) {
  const auto& [name, attention] = GetParam();
  const std::string what = name + (attention ? "+attention" : "");
  auto net = eval_net(name, attention);
  const testing::TempDir dir("train_export");
  const std::string path = (dir.path / "net.onnx").string();
  export_recognizer(*net, training_card(*net, what), path);

  const torch::Tensor images = torch::randn({3, 3, kSize, kSize});
  const torch::Tensor want = torch_embeddings(*net, images);
  // Distinct images give distinct embeddings: the comparison is not of constants.
  EXPECT_LT(torch::cosine_similarity(want[0], want[1], 0).item<double>(), 0.99) << what;
  const nn::Graph graph = nn::load_model(path);
  for (const char* executor : {"reference", "fast"}) {
    const auto run = nn::make_executor(executor, graph)->run({to_runtime(images)});
    ASSERT_EQ(run.size(), 1u);
    expect_same_embeddings(to_torch(run.front()), want, 1e-4, what + " (" + executor + ")");
  }
  expect_onnx_checker_accepts(path);
  expect_onnx_runtime_agrees(path, images, want, dir.path);
}

INSTANTIATE_TEST_SUITE_P(Backbones, ExportTest,
                         ::testing::Values(std::make_tuple("iresnet18", false), std::make_tuple("iresnet18", true),
                                           std::make_tuple("mobilefacenet", false),
                                           std::make_tuple("mobilefacenet", true)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "_attention" : "");
                         });

// make_recognizer("x.onnx") takes the card from the file and preprocesses as
// training did: RGB 0..255 → (x − 127.5) / 128, NCHW.
TEST(ExportRecognizer, MakeRecognizerReadsTheCard) {
  auto net = eval_net("mobilefacenet", false);
  const testing::TempDir dir("train_export");
  const std::string path = (dir.path / "mine.onnx").string();
  RecognizerCard card = training_card(*net, "my-net");
  card.thresholds = {{"cosine", 0.42}};
  card.layout = InputLayout::kNHWC;  // the network's facts overrule the caller's
  card.input_size = {112, 112};
  export_recognizer(*net, card, path);

  const auto recognizer = make_recognizer(path);
  const RecognizerCard& back = recognizer->card();
  EXPECT_EQ(back.name, "my-net");
  EXPECT_EQ(back.model, "mine");  // the file's stem: its calibrations' id
  EXPECT_EQ(back.input_size, cv::Size(kSize, kSize));
  EXPECT_EQ(back.mean, std::vector<float>{127.5f});
  EXPECT_EQ(back.std, std::vector<float>{128.f});
  EXPECT_EQ(back.color, ColorOrder::kRGB);
  EXPECT_EQ(back.layout, InputLayout::kNCHW);
  EXPECT_EQ(back.output, "embedding");
  EXPECT_EQ(back.metric, "cosine");
  EXPECT_DOUBLE_EQ(back.thresholds.at("cosine"), 0.42);
  EXPECT_EQ(recognizer->dimension(), 128);
  EXPECT_EQ(recognizer->alignment().size, cv::Size(kSize, kSize));

  // A crop through the recognizer against libtorch on the same pixels,
  // normalised here by hand.
  cv::Mat crop(kSize, kSize, CV_8UC3);
  cv::randu(crop, 0, 256);
  const torch::Tensor pixels =
      torch::from_blob(crop.data, {1, kSize, kSize, 3}, torch::kUInt8).to(torch::kFloat32).permute({0, 3, 1, 2});
  const torch::Tensor want = torch_embeddings(*net, (pixels - 127.5) / 128.0);
  const std::vector<float> got = recognizer->embed(crop);
  expect_same_embeddings(torch::tensor(got).unsqueeze(0), want, 1e-4, "mobilefacenet recognizer");
}

TEST(ExportRecognizer, OnnxWithoutCardIsRefused) {
  const testing::TempDir dir("train_export");
  const std::string path = (dir.path / "bare.onnx").string();
  OnnxBuilder onnx;
  const std::string x = onnx.add_input("images", 3, 16);
  onnx.add_output(onnx.add_node("GlobalAveragePool", {x}, "pooled"), {-1, 3, 1, 1});
  onnx.save(path);
  try {
    make_recognizer(path);
    FAIL() << "a model without a card was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no recognizer card"), std::string::npos) << e.what();
  }
  onnx.set_metadata(kRecognizerCardKey, "{not json");
  onnx.save(path);
  EXPECT_THROW(make_recognizer(path), Error);
  onnx.set_metadata(kRecognizerCardKey, R"({"input": {"layout": "CHWN"}})");
  onnx.save(path);
  EXPECT_THROW(make_recognizer(path), Error);
  EXPECT_THROW(make_recognizer((dir.path / "missing.onnx").string()), Error);
}

TEST(OnnxBuilder, RefusesValuesTheGraphDoesNotHave) {
  OnnxBuilder onnx;
  EXPECT_THROW(onnx.set_int("axis", 1), Error);  // no node yet
  const std::string x = onnx.add_input("x", 3, 8);
  EXPECT_THROW(onnx.add_node("Relu", {"y"}, "relu"), Error);
  EXPECT_THROW(onnx.add_output("y", {-1, 3, 8, 8}), Error);
  EXPECT_THROW(onnx.save("/tmp/never_written.onnx"), Error);  // no output
  // Hints are names while free, else suffixed: no two values share a name.
  const std::string a = onnx.add_node("Relu", {x}, "relu"), b = onnx.add_node("Relu", {a}, "relu");
  EXPECT_EQ(a, "relu");
  EXPECT_NE(b, a);
  EXPECT_NE(onnx.add_initializer("relu", torch::ones({1})), b);
}

TEST(ExportRecognizer, UnwritablePathIsAnError) {
  auto net = make_backbone({.name = "mobilefacenet", .input_size = 32, .embedding_dim = 8});
  try {
    export_recognizer(*net, training_card(*net, "x"), "/nonexistent/dir/x.onnx");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.onnx"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace facekit::train
