// Zoo models against golden outputs of independent runtimes (TensorFlow.js,
// face-api in Node, a JS TFLite interpreter): one test per tests/golden/*.json,
// written by tools/oracle/make_golden_*.mjs (see tools/oracle/README.md).
// Each case feeds the stored uint8 crop, normalised by the model card exactly
// as the oracle did, and checks every named output to a relative 1e-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "testing.h"

namespace {

namespace fs = std::filesystem;
using facekit::nn::Shape;
using facekit::nn::Tensor;
using nlohmann::json;

constexpr double kTolerance = 1e-4;

fs::path golden_dir() { return facekit::testing::source_dir() / "tests" / "golden"; }

// Model ids with a golden file (a <id>.json + <id>.bin pair; other golden
// files, such as the detectors' detect-*.json, belong to other tests), sorted
// so test order is stable.
std::vector<std::string> golden_models() {
  std::vector<std::string> ids;
  if (!fs::is_directory(golden_dir())) return ids;
  for (const auto& e : fs::directory_iterator(golden_dir())) {
    fs::path bin = e.path();
    if (e.path().extension() == ".json" && fs::exists(bin.replace_extension(".bin")))
      ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot open " + p.string());
  return json::parse(in);
}

std::vector<char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + p.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

json card_of(const std::string& id) {
  const json manifest = read_json(facekit::testing::source_dir() / "models" / "manifest.json");
  for (const auto& m : manifest["models"])
    if (m["id"] == id) return m["card"];
  throw std::runtime_error("model " + id + " is not in models/manifest.json");
}

Shape shape_of(const json& j) { return j.get<Shape>(); }

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// A card's mean or std as one value per channel (a scalar repeats).
std::vector<float> per_channel(const json& v, float fallback) {
  if (v.is_null()) return {fallback};
  if (v.is_array()) return v.get<std::vector<float>>();
  return {v.get<float>()};
}

// The network input: (uint8 - mean) / std per channel, the formula every
// oracle used (tools/oracle/golden.mjs normalise()).
Tensor normalised_input(const json& card, const json& input, const std::vector<char>& bin) {
  const Shape shape = shape_of(input["shape"]);
  const int64_t n = numel(shape);
  const size_t offset = input["offset"].get<size_t>();
  if (offset + n > bin.size()) throw std::runtime_error("golden input runs past the .bin");
  const auto mean = per_channel(card["input"]["mean"], 0.0f);
  const auto stdev = per_channel(card["input"]["std"], 1.0f);
  const int64_t channels = shape.back();
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i) {
    const auto c = static_cast<size_t>(i % channels);
    const float q = static_cast<uint8_t>(bin[offset + i]);
    x[i] = (q - mean[c % mean.size()]) / stdev[c % stdev.size()];
  }
  return Tensor::from_floats(shape, x);
}

Tensor float_array(const json& entry, const std::vector<char>& bin) {
  const Shape shape = shape_of(entry["shape"]);
  const size_t offset = entry["offset"].get<size_t>();
  const auto n = static_cast<size_t>(numel(shape));
  if (offset + 4 * n > bin.size()) throw std::runtime_error("golden output runs past the .bin");
  std::vector<float> v(n);
  std::memcpy(v.data(), bin.data() + offset, 4 * n);  // little-endian host assumed
  return Tensor::from_floats(shape, v);
}

std::vector<std::string> output_names(const json& golden) {
  std::vector<std::string> names;
  for (const auto& o : golden["cases"][0]["outputs"])
    if (o.contains("name")) names.push_back(o["name"].get<std::string>());
  return names;
}

// Compares every case of `golden` with executor `kind`. Shapes must match;
// when only the shape differs (same element count) the values are still
// compared, so a layout slip and a numeric error read differently.
void check_executor(const std::string& kind, const facekit::nn::Graph& graph, const json& golden,
                    const json& card, const std::vector<char>& bin) {
  auto executor = facekit::nn::make_executor(kind, graph);
  double worst = 0;
  std::string worst_output;
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(kind + " executor, " + c["image"].get<std::string>() + " box " + c["box"].dump());
    const auto got = executor->run({normalised_input(card, c["input"], bin)});
    ASSERT_EQ(got.size(), c["outputs"].size());
    for (size_t k = 0; k < got.size(); ++k) {
      const json& o = c["outputs"][k];
      const std::string name = o.value("name", "#" + std::to_string(k));
      const Tensor want = float_array(o, bin);
      EXPECT_EQ(got[k].shape(), want.shape()) << name;
      const Tensor g = numel(got[k].shape()) == want.numel() ? got[k].reshaped(want.shape()) : got[k];
      const double err = facekit::testing::relative_max_error(g, want);
      EXPECT_LE(err, kTolerance) << "output " << name << ": relative max error " << err;
      if (err >= worst) worst = err, worst_output = name;
    }
  }
  // The margin under the tolerance is worth seeing even when the test passes.
  std::cout << "[ golden ] " << golden["model"].get<std::string>() << ", " << kind
            << " executor: worst relative error " << worst << " (" << worst_output << ")\n";
}

class GoldenModel : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenModel, MatchesIndependentRuntime) {
  const std::string id = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, id);
  const json golden = read_json(golden_dir() / (id + ".json"));
  const std::vector<char> bin = read_bytes(golden_dir() / (id + ".bin"));
  const json card = card_of(id);
  SCOPED_TRACE("oracle: " + golden.value("oracle", "?"));

  facekit::nn::Graph graph = facekit::nn::load_model(path.string());
  if (const auto names = output_names(golden); !names.empty()) graph.set_outputs(names);

  check_executor("reference", graph, golden, card, bin);

  std::unique_ptr<facekit::nn::Executor> probe;
  try {
    probe = facekit::nn::make_executor("fast", graph);
  } catch (const facekit::Error& e) {
    std::cout << "[ note ] no fast executor for " << id << ": " << e.what() << "\n";
    return;
  }
  probe.reset();
  check_executor("fast", graph, golden, card, bin);
}

// gtest names allow letters, digits and '_' only.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Zoo, GoldenModel, ::testing::ValuesIn(golden_models()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenModel);

}  // namespace
