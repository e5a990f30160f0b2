// TF.js loading: weight decoding on hand-made shards, and every zoo graph
// model loading with the shapes and parameter counts of MODELS.md and running
// on the reference executor.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "nn/tfjs/weights.h"
#include "testing.h"

namespace facekit::nn {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("facekit_tfjs_test_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path_ / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

 private:
  fs::path path_;
};

template <class T>
void append(std::string& bytes, T v) {
  bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
}

TEST(TfjsWeights, DecodesEveryDtypeAcrossShards) {
  TempDir dir;
  std::string a, b;
  for (uint8_t q : {0, 1, 2, 255}) append(a, q);           // uint8 affine
  for (uint16_t h : {0x3c00, 0xc000, 0x3555, 0x0001}) append(a, h);  // float16: 1, -2, 0.33325195, 2^-24
  append(a, 1.5f);                                          // float32 split across the shard boundary:
  b = a.substr(a.size() - 2);                               // the last two bytes move to shard b
  a.resize(a.size() - 2);
  append(b, -0.25f);
  for (int32_t i : {7, -3}) append(b, i);                   // int32
  append(b, uint16_t{3});                                   // uint16 affine
  dir.write("a.bin", a);
  dir.write("b.bin", b);
  const auto manifest = nlohmann::json::parse(R"([{"paths": ["a.bin", "b.bin"], "weights": [
      {"name": "q8", "shape": [2, 2], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},
      {"name": "h", "shape": [4], "dtype": "float32", "quantization": {"dtype": "float16"}},
      {"name": "f", "shape": [2], "dtype": "float32"},
      {"name": "i", "shape": [2], "dtype": "int32"},
      {"name": "q16", "shape": [], "dtype": "float32", "quantization": {"dtype": "uint16", "scale": 2, "min": 1}}]}])");
  const auto w = tfjs::read_weights(manifest, dir.path(), "test manifest");
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].name, "q8");
  EXPECT_EQ(w[0].tensor.shape(), (Shape{2, 2}));
  EXPECT_EQ(w[0].tensor.to_floats(), (std::vector<float>{-1.0f, -0.5f, 0.0f, 126.5f}));
  EXPECT_EQ(w[1].tensor.to_floats(), (std::vector<float>{1.0f, -2.0f, 0.333251953125f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(w[2].tensor.to_floats(), (std::vector<float>{1.5f, -0.25f}));
  EXPECT_EQ(w[3].tensor.dtype(), DType::kInt32);
  EXPECT_EQ(w[3].tensor.to_int64(), (std::vector<int64_t>{7, -3}));
  EXPECT_EQ(w[4].tensor.shape(), Shape{});
  EXPECT_EQ(w[4].tensor.to_floats(), std::vector<float>{7.0f});
}

TEST(TfjsWeights, QuantisedInt32RoundsLikeTfjs) {
  TempDir dir;
  std::string a;
  for (uint8_t q : {0, 1, 3}) append(a, q);
  dir.write("w.bin", a);
  const auto manifest = nlohmann::json::parse(R"([{"paths": ["w.bin"], "weights": [
      {"name": "i", "shape": [3], "dtype": "int32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}}]}])");
  const auto w = tfjs::read_weights(manifest, dir.path(), "m");
  EXPECT_EQ(w[0].tensor.to_int64(), (std::vector<int64_t>{-1, 0, 1}));  // -1, -0.5 → 0 (half up), 0.5 → 1
}

// A graph model over x = arange(24) as [2,3,4] and int32 constants.
Tensor run_small_model(const TempDir& dir, const std::string& nodes,
                       const std::vector<std::pair<std::string, std::vector<int32_t>>>& consts) {
  std::string bin;
  nlohmann::json weights = nlohmann::json::array();
  std::string const_nodes;
  for (const auto& [name, values] : consts) {
    for (int32_t v : values) append(bin, v);
    weights.push_back({{"name", name}, {"shape", {values.size()}}, {"dtype", "int32"}});
    const_nodes += R"({"name": ")" + name + R"(", "op": "Const"},)";
  }
  dir.write("small.bin", bin);
  const std::string text = R"({"modelTopology": {"node": [)" + const_nodes +
                           R"({"name": "x", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": [
                                {"size": "2"}, {"size": "3"}, {"size": "4"}]}}}},)" +
                           nodes + R"(]}, "weightsManifest": [{"paths": ["small.bin"], "weights": )" + weights.dump() +
                           "}]}";
  dir.write("small.json", text);
  const Graph g = load_tfjs_graph((dir.path() / "small.json").string());
  std::vector<float> x(24);
  for (int i = 0; i < 24; ++i) x[i] = static_cast<float>(i);
  return make_executor("reference", g)->run({Tensor::from_floats({2, 3, 4}, x)}).at(0);
}

TEST(TfjsOps, StridedSliceWithEllipsisAndShrink) {  // x[..., 1]
  TempDir dir;
  const Tensor y = run_small_model(dir, R"({"name": "y", "op": "StridedSlice", "input": ["x", "b", "e", "s"],
      "attr": {"ellipsis_mask": {"i": "1"}, "shrink_axis_mask": {"i": "2"}}})",
                                   {{"b", {0, 1}}, {"e", {0, 2}}, {"s", {1, 1}}});
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.to_floats(), (std::vector<float>{1, 5, 9, 13, 17, 21}));
}

TEST(TfjsOps, StridedSliceWithNewAxisAndNegativeStride) {  // x[:, tf.newaxis, ::-2]
  TempDir dir;
  const Tensor y = run_small_model(dir, R"({"name": "y", "op": "StridedSlice", "input": ["x", "b", "e", "s"],
      "attr": {"begin_mask": {"i": "5"}, "end_mask": {"i": "5"}, "new_axis_mask": {"i": "2"}}})",
                                   {{"b", {0, 0, 0}}, {"e", {0, 0, 0}}, {"s", {1, 1, -2}}});
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2, 4}));
  EXPECT_EQ(y.to_floats(), (std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15}));
}

TEST(TfjsOps, PackExpandDimsSqueezeAndSum) {
  TempDir dir;
  const Tensor y = run_small_model(dir, R"(
      {"name": "e", "op": "ExpandDims", "input": ["x", "axis"]},
      {"name": "p", "op": "Pack", "input": ["e", "e"], "attr": {"axis": {"i": "-1"}}},
      {"name": "q", "op": "Squeeze", "input": ["p"], "attr": {"squeeze_dims": {"list": {"i": ["1"]}}}},
      {"name": "y", "op": "Sum", "input": ["q", "r"], "attr": {"keep_dims": {"b": false}}})",
                                   {{"axis", {1}}, {"r", {1, 2}}});
  // e: [2,1,3,4]; p: [2,1,3,4,2]; q: [2,3,4,2]; y = sum over 3 and 4 of each pair: [2,2]
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_floats(), (std::vector<float>{66, 66, 210, 210}));
}

struct ZooCase {
  const char* id;
  std::vector<Shape> inputs;
  std::vector<Shape> outputs;
  int64_t params;
};

// From /work/shared/MODELS.md section 3 (params: every element of the
// weights manifest, int32 shape constants included). Outputs come in the
// natural order of their signature keys, or of the sink nodes' names.
const std::vector<ZooCase>& zoo_cases() {
  static const std::vector<ZooCase> cases = {
      {"human-gear", {{-1, 198, 198, 3}}, {{-1, 7}, {-1, 2}, {-1, 5}}, 749456},
      {"human-emotion", {{-1, 64, 64, 1}}, {{-1, 7}}, 205129},
      {"human-faceres", {{-1, 224, 224, 3}}, {{-1, 100}, {-1, 1}, {-1, 1024}}, 3489405},
      {"human-mobileface", {{-1, 112, 112, 3}}, {{-1, 256}}, 545798},
      {"human-mobilefacenet", {{-1, 112, 112, 3}}, {{-1, 192}}, 1292994},
      {"human-antispoof", {{-1, 128, 128, 3}}, {{-1, 1}}, 426547},
      {"human-liveness", {{-1, 32, 32, 3}}, {{-1, 2}}, 148244},
      {"human-blazeface", {{1, 256, 256, 3}}, {{1, 512, 1}, {1, 384, 1}, {1, 512, 16}, {1, 384, 16}}, 134732},
      {"human-blazeface-front", {{1, 128, 128, 3}}, {{1, 512, 1}, {1, 384, 1}, {1, 512, 16}, {1, 384, 16}}, 100512},
      {"human-facemesh-detection-short", {{-1, 128, 128, 3}}, {{-1, 896, 17}}, 100523},
      {"human-facemesh-detection-full", {{-1, 192, 192, 3}}, {{-1, 2304, 17}, {-1, 2304, 17}}, 512708},
      {"human-facemesh", {{-1, 192, 192, 3}}, {{-1, 266}, {-1, 1}, {-1, 1404}}, 738949},
      {"human-iris", {{-1, 64, 64, 3}}, {{-1, 1, 1, 228}}, 649773},
      {"human-age", {{-1, 64, 64, 3}}, {{-1, 1}}, 40310},
      {"human-gender", {{-1, 64, 64, 1}}, {{-1, 2}}, 50452},
  };
  return cases;
}

class TfjsZoo : public ::testing::TestWithParam<ZooCase> {};

Tensor random_input(const Shape& declared, uint32_t seed) {
  Shape s = declared;
  for (auto& d : s)
    if (d < 0) d = 1;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(shape_numel(s)));
  for (auto& x : v) x = u(rng);
  return Tensor::from_floats(s, v);
}

Shape concrete(Shape s) {
  for (auto& d : s)
    if (d < 0) d = 1;
  return s;
}

TEST_P(TfjsZoo, LoadsAndRuns) {
  const ZooCase& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, c.id);
  const Graph g = load_tfjs_graph(path.string());
  ASSERT_EQ(g.inputs.size(), c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) EXPECT_EQ(g.values[g.inputs[i]].shape, c.inputs[i]) << "input " << i;
  ASSERT_EQ(g.outputs.size(), c.outputs.size());
  for (size_t i = 0; i < c.outputs.size(); ++i)
    EXPECT_EQ(g.values[g.outputs[i]].shape, c.outputs[i]) << "output " << i << " " << g.values[g.outputs[i]].name;
  // Every manifest element is read, and every float weight reaches the graph
  // once (the conv filters transposed, nothing lost or duplicated).
  const auto model = nlohmann::json::parse(std::ifstream(path));
  int64_t total = 0, floats = 0;
  for (const auto& w : tfjs::read_weights(model["weightsManifest"], path.parent_path(), path.string())) {
    total += w.tensor.numel();
    if (w.tensor.dtype() == DType::kFloat32) floats += w.tensor.numel();
  }
  EXPECT_EQ(total, c.params);
  EXPECT_EQ(g.parameter_count(), floats);

  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) inputs.push_back(random_input(c.inputs[i], 17 + i));
  const auto outputs = make_executor("reference", g)->run(inputs);
  ASSERT_EQ(outputs.size(), c.outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i].shape(), concrete(c.outputs[i])) << "output " << i;
    for (float v : outputs[i].to_floats()) ASSERT_TRUE(std::isfinite(v)) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Human, TfjsZoo, ::testing::ValuesIn(zoo_cases()),
                         [](const ::testing::TestParamInfo<ZooCase>& info) {
                           std::string name = info.param.id;
                           for (auto& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

// Compares with tests/golden/<id>.{json,bin}, made by @tensorflow/tfjs's cpu
// backend (tools/oracle/make_golden_tfjs.mjs): inputs are uint8 images
// normalised with the model card's mean/std, outputs float32, offsets in bytes.
TEST_P(TfjsZoo, MatchesTheTfjsGolden) {
  const ZooCase& c = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, c.id);
  const fs::path golden = testing::source_dir() / "tests" / "golden" / (std::string(c.id) + ".json");
  if (!fs::exists(golden)) GTEST_SKIP() << "no golden file " << golden;
  const auto gj = nlohmann::json::parse(std::ifstream(golden));
  std::ifstream bin_in(fs::path(golden).replace_extension(".bin"), std::ios::binary);
  const std::vector<char> bin{std::istreambuf_iterator<char>(bin_in), std::istreambuf_iterator<char>()};
  const auto manifest = nlohmann::json::parse(std::ifstream(testing::source_dir() / "models" / "manifest.json"));
  nlohmann::json card;
  for (const auto& m : manifest["models"])
    if (m["id"] == c.id) card = m["card"];
  auto channel_values = [](const nlohmann::json& v, float def) {
    return v.is_null() ? std::vector<float>{def} : v.is_array() ? v.get<std::vector<float>>() : std::vector<float>{v.get<float>()};
  };
  const auto mean = channel_values(card["input"]["mean"], 0.0f), stdev = channel_values(card["input"]["std"], 1.0f);

  Graph g = load_tfjs_graph(path.string());
  std::vector<std::string> names;
  for (const auto& o : gj["cases"][0]["outputs"]) names.push_back(o["name"].get<std::string>());
  g.set_outputs(names);
  auto executor = make_executor("reference", g);
  for (const auto& cs : gj["cases"]) {
    const Shape in_shape = cs["input"]["shape"].get<Shape>();
    const size_t in_off = cs["input"]["offset"].get<size_t>();
    const auto n = static_cast<size_t>(shape_numel(in_shape));
    ASSERT_LE(in_off + n, bin.size());
    std::vector<float> x(n);
    const size_t ch = static_cast<size_t>(in_shape.back());
    for (size_t i = 0; i < n; ++i)
      x[i] = (static_cast<uint8_t>(bin[in_off + i]) - mean[i % ch % mean.size()]) / stdev[i % ch % stdev.size()];
    const auto got = executor->run({Tensor::from_floats(in_shape, x)});
    ASSERT_EQ(got.size(), names.size());
    for (size_t k = 0; k < got.size(); ++k) {
      const auto& o = cs["outputs"][k];
      const Shape s = o["shape"].get<Shape>();
      const size_t off = o["offset"].get<size_t>(), m = static_cast<size_t>(shape_numel(s));
      ASSERT_LE(off + 4 * m, bin.size());
      std::vector<float> want(m);
      std::memcpy(want.data(), bin.data() + off, 4 * m);
      const double err = testing::relative_max_error(got[k], Tensor::from_floats(s, want));
      EXPECT_LE(err, 1e-4) << names[k] << " on " << cs["image"];
    }
  }
}

TEST(TfjsZooFaceres, DescriptorIsAnInternalOutput) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "human-faceres");
  Graph g = load_tfjs_graph(path.string());
  g.set_outputs({"global_pooling/Mean"});
  const auto out = make_executor("reference", g)->run({random_input({1, 224, 224, 3}, 5)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 1024}));
  for (float v : out[0].to_floats()) ASSERT_TRUE(std::isfinite(v));
}

TEST(TfjsZooDetection, DynamicBatchSurvives) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "human-facemesh-detection-short");
  const Graph g = load_tfjs_graph(path.string());
  const auto out = make_executor("reference", g)->run({random_input({2, 128, 128, 3}, 9)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 896, 17}));
}

}  // namespace
}  // namespace facekit::nn
