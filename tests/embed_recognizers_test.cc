// Recognizers (include/facekit/embed.h) against each model's own runtime:
// tests/golden/embed/<recognizer>.json holds the embeddings that runtime
// computed from the PNG crops beside it (tools/oracle/make_golden_embed.mjs:
// the JS TFLite interpreter, face-api's computeFaceDescriptor, tfjs's graph
// executor). Every embedding must reach cosine similarity 0.9999 with its
// golden. Then: user ONNX models, flip augmentation, cards and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/embed.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/nn/model.h"
#include "facekit/zoo.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kMinCosine = 0.9999;

fs::path golden_dir() { return testing::source_dir() / "tests" / "golden" / "embed"; }

json read_golden(const std::string& recognizer) {
  std::ifstream in(golden_dir() / (recognizer + ".json"));
  if (!in) throw std::runtime_error("no golden for " + recognizer);
  return json::parse(in);
}

cv::Mat read_crop(const std::string& name) {
  return read_image((golden_dir() / name).string());
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

double norm(const std::vector<float>& a) {
  double s = 0;
  for (float v : a) s += double(v) * v;
  return std::sqrt(s);
}

// Skips unless the zoo model behind `recognizer` is installed.
#define RECOGNIZER_OR_SKIP(var, recognizer, options)                                       \
  const std::string var##_model = read_golden(recognizer)["model"].get<std::string>();     \
  if (!testing::zoo_model(var##_model)) GTEST_SKIP() << "model " << var##_model << " not installed"; \
  auto var = make_recognizer(recognizer, options)

// Every golden case, one by one and as one batch, against the oracle.
void check_against_golden(Recognizer& recognizer, const json& golden, const std::string& executor) {
  std::vector<cv::Mat> crops;
  std::vector<std::vector<float>> want;
  for (const auto& c : golden["cases"]) {
    crops.push_back(read_crop(c["crop"]));
    want.push_back(c["embedding"].get<std::vector<float>>());
  }
  const auto batched = recognizer.embed(crops);
  ASSERT_EQ(batched.size(), crops.size());
  double worst = 1;
  for (size_t i = 0; i < crops.size(); ++i) {
    SCOPED_TRACE(golden["cases"][i]["crop"].get<std::string>());
    const auto one = recognizer.embed(crops[i]);
    ASSERT_EQ(one.size(), want[i].size());
    ASSERT_EQ(static_cast<int>(one.size()), recognizer.dimension());
    EXPECT_GE(cosine(one, want[i]), kMinCosine);
    EXPECT_GE(cosine(batched[i], want[i]), kMinCosine);
    // Same scale as the oracle, not just the same direction.
    EXPECT_NEAR(norm(one) / norm(want[i]), 1.0, 1e-4);
    worst = std::min({worst, cosine(one, want[i]), cosine(batched[i], want[i])});
  }
  // The margin under the tolerance is worth seeing even when the test passes.
  std::cout << "[ golden ] " << recognizer.name() << ", " << executor << " executor: largest 1 - cosine "
            << std::setprecision(3) << 1 - worst << "\n";
}

class RecognizerGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RecognizerGolden, EqualsOwnRuntime) {
  RECOGNIZER_OR_SKIP(recognizer, GetParam(), {.flip = false});  // the runtimes have no flip
  const json golden = read_golden(GetParam());
  SCOPED_TRACE("oracle: " + golden["oracle"].get<std::string>());
  EXPECT_EQ(recognizer->card().model, golden["model"]);
  check_against_golden(*recognizer, golden, "fast");
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Zoo, RecognizerGolden, ::testing::ValuesIn(recognizer_names()), test_name);

TEST(Recognizer, ReferenceExecutorEqualsOwnRuntime) {
  RecognizerOptions options;
  options.executor = "reference";
  RECOGNIZER_OR_SKIP(recognizer, "mobileface", options);
  check_against_golden(*recognizer, read_golden("mobileface"), "reference");
}

TEST(Recognizer, CardsDescribeTheModels) {
  RECOGNIZER_OR_SKIP(faceapi, "faceapi", {});
  EXPECT_EQ(faceapi->dimension(), 128);
  EXPECT_EQ(faceapi->alignment().size, cv::Size(150, 150));
  EXPECT_EQ(faceapi->card().metric, "euclidean");
  EXPECT_EQ(faceapi->card().thresholds.at("euclidean"), 0.6);
  const json j = card_json(faceapi->card(), faceapi->dimension());
  EXPECT_EQ(j["dimension"], 128);
  // face-api's own crop (models/manifest.json "alignment", docs/recognition.md).
  EXPECT_EQ(j["alignment"]["name"], "faceapi");
  EXPECT_EQ(j["alignment"]["kind"], "faceapi");
  EXPECT_EQ(faceapi->alignment().kind, AlignKind::kFaceapi);
  // dlib's chip on request.
  RECOGNIZER_OR_SKIP(chip, "faceapi", {.alignment = "dlib"});
  EXPECT_EQ(chip->alignment().points, dlib_template().points);
  EXPECT_EQ(chip->alignment().size, cv::Size(150, 150));
  EXPECT_THROW(make_recognizer("faceapi", {.alignment = "tilted"}), Error);

  RECOGNIZER_OR_SKIP(mobilefacenet, "mobilefacenet", {});
  EXPECT_EQ(mobilefacenet->dimension(), 192);
  EXPECT_EQ(mobilefacenet->alignment().points, arcface_template().points);
  EXPECT_EQ(mobilefacenet->card().metric, "cosine");
  // Calibrated on LFW View 1 DevTrain (README.md): a cosine distance, so in (0, 2).
  ASSERT_EQ(mobilefacenet->card().thresholds.count("cosine"), 1u);
  EXPECT_GT(mobilefacenet->card().thresholds.at("cosine"), 0.0);
  EXPECT_LT(mobilefacenet->card().thresholds.at("cosine"), 2.0);
}

TEST(Recognizer, CardFromJsonInvertsCardJson) {
  RecognizerCard card;
  card.name = "mine";
  card.model = "/models/mine.onnx";
  card.input_size = {96, 112};
  card.mean = {1.f, 2.f, 3.f};
  card.std = {4.f, 5.f, 6.f};
  card.color = ColorOrder::kBGR;
  card.layout = InputLayout::kNCHW;
  card.output = "fc1";
  card.l2_normalized = true;
  card.metric = "euclidean_l2";
  card.thresholds = {{"euclidean_l2", 1.1}, {"cosine", 0.4}};
  card.alignment = scaled_template(arcface_template(), 96);
  const RecognizerCard back = card_from_json(card_json(card, 256), "test");
  EXPECT_EQ(back.name, card.name);
  EXPECT_EQ(back.model, card.model);
  EXPECT_EQ(back.input_size, card.input_size);
  EXPECT_EQ(back.mean, card.mean);
  EXPECT_EQ(back.std, card.std);
  EXPECT_EQ(back.color, card.color);
  EXPECT_EQ(back.layout, card.layout);
  EXPECT_EQ(back.output, card.output);
  EXPECT_EQ(back.l2_normalized, card.l2_normalized);
  EXPECT_EQ(back.metric, card.metric);
  EXPECT_EQ(back.thresholds, card.thresholds);
  EXPECT_EQ(back.alignment.name, card.alignment.name);
  EXPECT_EQ(back.alignment.size, card.alignment.size);
  EXPECT_EQ(back.alignment.points, card.alignment.points);
  // face-api's crop (no points) keeps its kind.
  card.alignment = named_template("faceapi", 96);
  const RecognizerCard faceapi_back = card_from_json(card_json(card, 256), "test");
  EXPECT_EQ(faceapi_back.alignment.kind, AlignKind::kFaceapi);
  EXPECT_EQ(faceapi_back.alignment.size, cv::Size(96, 96));
  // An empty template stays empty (the recognizer's default), and missing
  // fields keep RecognizerCard's defaults.
  const RecognizerCard defaults = card_from_json(json::parse(R"({"input": {"size": [64, 64]}})"), "test");
  EXPECT_EQ(defaults.input_size, cv::Size(64, 64));
  EXPECT_TRUE(defaults.alignment.points.empty());
  EXPECT_EQ(defaults.layout, RecognizerCard().layout);
  EXPECT_EQ(defaults.mean, RecognizerCard().mean);
}

TEST(Recognizer, CardFromJsonRefusesMalformedCards) {
  for (const char* text : {R"([1, 2])", R"({"input": {"size": [0, 112]}})", R"({"input": {"size": 112}})",
                           R"({"input": {"color": "RGBA"}})", R"({"input": {"layout": "CHWN"}})",
                           R"({"input": {"mean": "zero"}})", R"({"thresholds": {"cosine": "low"}})",
                           R"({"alignment": {"size": [112, 112], "points": [[1]]}})", R"({"name": 3})",
                           R"({"alignment": {"size": [112, 112], "kind": "tilted"}})"}) {
    try {
      card_from_json(json::parse(text), "card.json");
      ADD_FAILURE() << "accepted " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("card.json"), std::string::npos) << e.what();
    }
  }
}

TEST(Recognizer, HumanMobileFaceNetIsUnitLength) {
  RECOGNIZER_OR_SKIP(recognizer, "human-mobilefacenet", {});
  ASSERT_TRUE(recognizer->card().l2_normalized);
  EXPECT_NEAR(norm(recognizer->embed(read_crop("sample1-112.png"))), 1.0, 1e-5);
}

TEST(Recognizer, FlipAveragesCropAndMirror) {
  RECOGNIZER_OR_SKIP(plain, "mobilefacenet", {.flip = false});
  RecognizerOptions options;
  options.flip = true;
  auto flipped = make_recognizer("mobilefacenet", options);
  const cv::Mat crop = read_crop("sample3-112.png");
  cv::Mat mirror;
  cv::flip(crop, mirror, 1);
  const auto a = plain->embed(crop), b = plain->embed(mirror), tta = flipped->embed(crop);
  ASSERT_EQ(tta.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(tta[i], 0.5f * (a[i] + b[i]), 1e-5f) << i;
  // A crop and its mirror give one embedding under flip augmentation.
  EXPECT_GE(cosine(flipped->embed(mirror), tta), 0.999999);
  EXPECT_LT(cosine(a, b), 0.999999) << "the mirror should change the plain embedding";
}

TEST(Recognizer, FlipOfASymmetricCropChangesNothing) {
  // A crop equal to its mirror: the mean of its two embeddings is its own.
  RECOGNIZER_OR_SKIP(plain, "faceapi", {.flip = false});
  auto flipped = make_recognizer("faceapi", {.flip = true});
  EXPECT_TRUE(flipped->card().flip);
  EXPECT_FALSE(plain->card().flip);
  EXPECT_TRUE(make_recognizer("faceapi")->card().flip) << "faceapi's card turns flip on (docs/recognition.md)";
  cv::Mat symmetric = read_crop("sample1-150.png").clone(), mirror;
  cv::flip(symmetric, mirror, 1);
  mirror.colRange(0, symmetric.cols / 2).copyTo(symmetric.colRange(0, symmetric.cols / 2));
  cv::flip(symmetric, mirror, 1);
  ASSERT_EQ(cv::norm(symmetric, mirror, cv::NORM_INF), 0) << "the synthetic crop is its own mirror";
  const auto a = plain->embed(symmetric), b = flipped->embed(symmetric);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-6f) << i;
}

TEST(Recognizer, ResizesCropsOfAnotherSize) {
  RECOGNIZER_OR_SKIP(recognizer, "faceapi", {.flip = false});
  // The 224 crop of the same face, shrunk to 150 inside: close, not equal.
  const auto e = recognizer->embed(read_crop("sample1-224.png"));
  const auto want = read_golden("faceapi")["cases"][0]["embedding"].get<std::vector<float>>();
  EXPECT_GE(cosine(e, want), 0.98);
}

TEST(OnnxRecognizer, ExportedZooModelEqualsBuiltIn) {
  RECOGNIZER_OR_SKIP(builtin, "mobileface", {});
  nn::Graph graph = nn::load_zoo_model("human-mobileface");
  graph.set_outputs({"batchnorm0/add_1"});
  const testing::TempDir dir("embed");
  const fs::path file = dir.path / "mobileface.onnx";
  nn::export_onnx(graph, file.string());

  RecognizerCard card;  // human-mobileface's card: raw 0..255 RGB, NHWC, 112×112
  auto onnx = make_onnx_recognizer(file.string(), card);
  EXPECT_EQ(onnx->name(), "mobileface");
  EXPECT_EQ(onnx->dimension(), builtin->dimension());
  for (const char* name : {"sample1-112.png", "sample5-112.png"}) {
    const cv::Mat crop = read_crop(name);
    EXPECT_GE(cosine(onnx->embed(crop), builtin->embed(crop)), 0.999999) << name;
  }
}

// A 4×4 NCHW network whose "embedding" is the mean of each input channel:
// checks the card's colour order, layout and per-channel mean/std.
fs::path channel_mean_onnx(const fs::path& dir) {
  nn::Graph g;
  g.name = "channel_mean";
  const int x = g.add_value("pixels", nn::DType::kFloat32, {1, 3, 4, 4});
  const int y = g.add_value("embedding");
  nn::Attributes attrs;
  attrs.set("axes", std::vector<int64_t>{2, 3});
  attrs.set("keepdims", int64_t{0});
  g.add_node("ReduceMean", {x}, {y}, attrs);
  g.inputs = {x};
  g.outputs = {y};
  g.finalize();
  const fs::path file = dir / "channel_mean.onnx";
  nn::export_onnx(g, file.string());
  return file;
}

// A 4×4 NCHW network: the logarithm of each channel's mean.
fs::path log_channel_mean_onnx(const fs::path& dir) {
  nn::Graph g;
  g.name = "log_channel_mean";
  const int x = g.add_value("pixels", nn::DType::kFloat32, {1, 3, 4, 4});
  const int mean = g.add_value("mean");
  const int y = g.add_value("embedding");
  nn::Attributes attrs;
  attrs.set("axes", std::vector<int64_t>{2, 3});
  attrs.set("keepdims", int64_t{0});
  g.add_node("ReduceMean", {x}, {mean}, attrs);
  g.add_node("Log", {mean}, {y});
  g.inputs = {x};
  g.outputs = {y};
  g.finalize();
  const fs::path file = dir / "log_channel_mean.onnx";
  nn::export_onnx(g, file.string());
  return file;
}

TEST(OnnxRecognizer, NonFiniteEmbeddingIsAnError) {
  const testing::TempDir dir("embed");
  RecognizerCard card;
  card.input_size = {4, 4};
  card.layout = InputLayout::kNCHW;
  card.mean = {128};  // a dark crop goes negative: log gives NaN
  auto recognizer = make_onnx_recognizer(log_channel_mean_onnx(dir.path).string(), card);
  EXPECT_NO_THROW(recognizer->embed(cv::Mat(4, 4, CV_8UC3, cv::Scalar(200, 200, 200))));
  try {
    recognizer->embed(cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 10, 10)));
    ADD_FAILURE() << "no error for a NaN embedding";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
}

TEST(OnnxRecognizer, AppliesColourOrderLayoutAndNormalisation) {
  const testing::TempDir dir("embed");
  RecognizerCard card;
  card.input_size = {4, 4};
  card.layout = InputLayout::kNCHW;
  card.color = ColorOrder::kBGR;
  card.mean = {10, 20, 30};  // in network (BGR) order
  card.std = {2, 4, 5};
  auto recognizer = make_onnx_recognizer(channel_mean_onnx(dir.path).string(), card);
  EXPECT_EQ(recognizer->dimension(), 3);
  EXPECT_EQ(recognizer->alignment().size, cv::Size(4, 4));
  // A uniform crop of another size: R 100, G 60, B 40.
  const cv::Mat crop(9, 9, CV_8UC3, cv::Scalar(100, 60, 40));
  const auto e = recognizer->embed(std::vector<cv::Mat>{crop, crop});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (std::vector<float>{(40 - 10) / 2.f, (60 - 20) / 4.f, (100 - 30) / 5.f}));
  EXPECT_EQ(e[1], e[0]);
}

TEST(OnnxRecognizer, CardContradictingTheModelIsAnError) {
  const testing::TempDir dir("embed");
  const fs::path file = channel_mean_onnx(dir.path);
  RecognizerCard card;
  card.input_size = {4, 4};  // layout left at NHWC: the model is NCHW
  EXPECT_THROW(make_onnx_recognizer(file.string(), card), Error);
  card.layout = InputLayout::kNCHW;
  card.output = "no_such_value";
  EXPECT_THROW(make_onnx_recognizer(file.string(), card), Error);
  card.output.clear();
  card.mean = {1, 2};
  EXPECT_THROW(make_onnx_recognizer(file.string(), card), Error);
  card.mean = {0};
  card.input_size = {8, 8};
  EXPECT_THROW(make_onnx_recognizer(file.string(), card), Error);
  EXPECT_THROW(make_onnx_recognizer((dir.path / "missing.onnx").string(), {}), Error);
}

TEST(Recognizer, BadInputIsAnError) {
  EXPECT_THROW(make_recognizer("no-such-model"), Error);
  try {
    make_recognizer("arcface");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mobilefacenet"), std::string::npos) << "lists the known names";
  }
  RECOGNIZER_OR_SKIP(recognizer, "mobileface", {});
  EXPECT_THROW(recognizer->embed(cv::Mat()), Error);
  EXPECT_THROW(recognizer->embed(cv::Mat(112, 112, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_THROW(recognizer->embed(cv::Mat(112, 112, CV_32FC3, cv::Scalar(0, 0, 0))), Error);
  EXPECT_THROW(recognizer->embed(std::vector<cv::Mat>{read_crop("sample1-112.png"), cv::Mat()}), Error);
  EXPECT_TRUE(recognizer->embed(std::vector<cv::Mat>{}).empty());
}

}  // namespace
}  // namespace facekit
