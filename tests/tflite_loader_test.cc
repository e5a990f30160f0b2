// The TFLite loader on the zoo's models: names, shapes and parameter counts
// as MODELS.md states them, and a finite run through the reference executor.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "random_tensor.h"
#include "testing.h"

namespace facekit::nn {
namespace {

struct NamedShape {
  std::string name;
  Shape shape;
};

struct ZooCase {
  std::string id;
  std::vector<NamedShape> inputs, outputs;
  int64_t parameters;  // as MODELS.md gives them (rounded there)
};

std::ostream& operator<<(std::ostream& os, const ZooCase& c) { return os << c.id; }

const std::vector<ZooCase>& zoo_cases() {
  static const std::vector<ZooCase> cases = {
      {"mtcnn-pnet", {{"pnet/input", {1, 1280, 960, 3}}},
       {{"pnet/prob1", {1, 635, 475, 2}}, {"pnet/conv4-2/BiasAdd", {1, 635, 475, 4}}}, 6600},
      {"mtcnn-rnet", {{"rnet/input", {1, 24, 24, 3}}},
       {{"rnet/prob1", {1, 2}}, {"rnet/conv5-2/conv5-2", {1, 4}}}, 100000},
      {"mtcnn-onet", {{"onet/input", {1, 48, 48, 3}}},
       {{"onet/prob1", {1, 2}}, {"onet/conv6-2/conv6-2", {1, 4}}, {"onet/conv6-3/conv6-3", {1, 10}}}, 389000},
      {"mobilefacenet-tflite", {{"input", {2, 112, 112, 3}}}, {{"embeddings", {2, 192}}}, 1290000},
      {"antispoof-dtn", {{"input", {1, 256, 256, 3}}}, {{"Identity", {1, 8}}, {"Identity_1", {1, 8}}}, 2000000},
      {"blazeface-short", {{"input", {1, 128, 128, 3}}},
       {{"regressors", {1, 896, 16}}, {"classificators", {1, 896, 1}}}, 101000},
      {"blazeface-full", {{"input", {1, 192, 192, 3}}},
       {{"reshaped_regressor_face_4", {1, 2304, 16}}, {"reshaped_classifier_face_4", {1, 2304, 1}}}, 514000},
      {"blazeface-full-sparse", {{"input_1", {1, 192, 192, 3}}},
       {{"Identity", {1, 2304, 16}}, {"Identity_1", {1, 2304, 1}}}, 508000},
  };
  return cases;
}

Tensor random_input(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  return testing::random_tensor(shape, rng);
}

bool all_finite(const Tensor& t) {
  const float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

class TfliteZooTest : public ::testing::TestWithParam<ZooCase> {};

TEST_P(TfliteZooTest, LoadsWithDeclaredInterfaceAndRuns) {
  const ZooCase& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, c.id);
  const Graph g = load_tflite(path.string());

  ASSERT_EQ(g.inputs.size(), c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    EXPECT_EQ(g.values[g.inputs[i]].name, c.inputs[i].name);
    EXPECT_EQ(g.values[g.inputs[i]].shape, c.inputs[i].shape);
  }
  ASSERT_EQ(g.outputs.size(), c.outputs.size());
  for (size_t i = 0; i < c.outputs.size(); ++i) {
    EXPECT_EQ(g.values[g.outputs[i]].name, c.outputs[i].name);
    EXPECT_EQ(g.values[g.outputs[i]].shape, c.outputs[i].shape) << c.outputs[i].name;
  }
  // MODELS.md rounds to 2-3 significant digits.
  const double params = static_cast<double>(g.parameter_count());
  EXPECT_NEAR(params / static_cast<double>(c.parameters), 1.0, 0.02) << "parameters: " << params;
  for (const Node& n : g.nodes) {
    EXPECT_NE(n.op, "Identity") << "DEQUANTIZE/DENSIFY of weights should fold away: " << n.name;
  }

  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) inputs.push_back(random_input(c.inputs[i].shape, 7 + i));
  const auto outputs = make_executor("reference", g)->run(inputs);
  ASSERT_EQ(outputs.size(), c.outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i].shape(), c.outputs[i].shape);
    EXPECT_TRUE(all_finite(outputs[i])) << c.outputs[i].name;
  }
}

// The model card's input normalisation (models/manifest.json): mean and std
// per channel (a scalar repeats).
std::pair<std::vector<float>, std::vector<float>> card_normalisation(const std::string& id) {
  const auto manifest = nlohmann::json::parse(std::ifstream(testing::source_dir() / "models" / "manifest.json"));
  auto channels = [](const nlohmann::json& v, float fallback) {
    if (v.is_null()) return std::vector<float>{fallback};
    if (v.is_array()) return v.get<std::vector<float>>();
    return std::vector<float>{v.get<float>()};
  };
  for (const auto& m : manifest["models"])
    if (m["id"] == id) return {channels(m["card"]["input"]["mean"], 0), channels(m["card"]["input"]["std"], 1)};
  return {{0}, {1}};
}

// Outputs on real face crops against tests/golden/<id>.json, written by an
// independent TFLite interpreter (tools/oracle/tflite on TensorFlow.js):
// uint8 crops in, normalised by the card; float32 outputs.
TEST_P(TfliteZooTest, MatchesGoldenOutputs) {
  const ZooCase& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, c.id);
  const auto golden = testing::source_dir() / "tests" / "golden" / (c.id + ".json");
  if (!std::filesystem::exists(golden)) GTEST_SKIP() << "no golden file " << golden;
  const auto spec = nlohmann::json::parse(std::ifstream(golden));
  std::ifstream bin(std::filesystem::path(golden).replace_extension(".bin"), std::ios::binary);
  const std::vector<char> blob{std::istreambuf_iterator<char>(bin), std::istreambuf_iterator<char>()};
  const auto normalisation = card_normalisation(c.id);
  const std::vector<float>& mean = normalisation.first;
  const std::vector<float>& stdev = normalisation.second;
  auto read_input = [&](const nlohmann::json& t) {
    const Shape shape = t["shape"].get<Shape>();
    const size_t offset = t["offset"].get<size_t>();
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    EXPECT_LE(offset + v.size(), blob.size());
    for (size_t i = 0; i < v.size() && offset + i < blob.size(); ++i) {
      const size_t ch = i % static_cast<size_t>(shape.back());
      v[i] = (static_cast<uint8_t>(blob[offset + i]) - mean[ch % mean.size()]) / stdev[ch % stdev.size()];
    }
    return Tensor::from_floats(shape, v);
  };
  auto read_output = [&](const nlohmann::json& t) {
    const Shape shape = t["shape"].get<Shape>();
    const size_t offset = t["offset"].get<size_t>();
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    EXPECT_LE(offset + v.size() * 4, blob.size());
    if (offset + v.size() * 4 <= blob.size()) std::memcpy(v.data(), blob.data() + offset, v.size() * 4);
    return Tensor::from_floats(shape, v);
  };
  const Graph g = load_tflite(path.string());
  auto executor = make_executor("reference", g);
  for (const auto& cs : spec["cases"]) {
    const auto outputs = executor->run({read_input(cs["input"])});
    ASSERT_EQ(outputs.size(), cs["outputs"].size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      const auto& o = cs["outputs"][i];
      EXPECT_EQ(g.values[g.outputs[i]].name, o["name"].get<std::string>());
      EXPECT_LT(testing::relative_max_error(outputs[i], read_output(o)), 1e-4) << o["name"] << " on " << cs["image"];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, TfliteZooTest, ::testing::ValuesIn(zoo_cases()),
                         [](const auto& info) {
                           std::string n = info.param.id;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// P-Net is fully convolutional: other input sizes give proportional maps.
TEST(TfliteLoader, PnetRunsAtAnotherInputSize) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "mtcnn-pnet");
  const Graph g = load_tflite(path.string());
  const auto outputs = make_executor("reference", g)->run({random_input({1, 120, 160, 3}, 3)});
  ASSERT_EQ(outputs.size(), 2u);
  // 3x3 conv, 2x2/2 pool (SAME), two 3x3 convs: (120-2)/2 -> 59 -> 55; (160-2)/2 -> 79 -> 75.
  EXPECT_EQ(outputs[0].shape(), (Shape{1, 55, 75, 2}));
  EXPECT_EQ(outputs[1].shape(), (Shape{1, 55, 75, 4}));
  EXPECT_TRUE(all_finite(outputs[0]));
  // prob1 is a softmax over the last axis.
  const float* p = outputs[0].data<float>();
  for (int64_t i = 0; i < outputs[0].numel(); i += 2) ASSERT_NEAR(p[i] + p[i + 1], 1.0f, 1e-5f);
}

TEST(TfliteLoader, MissingFileNamesThePath) {
  try {
    load_tflite("/nonexistent/model.tflite");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.tflite"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace facekit::nn
