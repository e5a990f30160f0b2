// Every zoo model's ONNX export, run by ONNX Runtime (onnxruntime-node, via
// tools/oracle/ort_compare.mjs), against the golden outputs of the model's
// own independent runtime (tests/golden, see tools/oracle/README.md) on the
// first golden case, to the same relative 1e-4 as facekit's executors. This
// checks that `facekit export` hands users the same function facekit runs.
// Skipped when a model, node or onnxruntime-node is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "facekit/nn/model.h"
#include "testing.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path golden_dir() { return facekit::testing::source_dir() / "tests" / "golden"; }

// Model ids with a golden file, sorted so test order is stable.
std::vector<std::string> golden_models() {
  std::vector<std::string> ids;
  if (!fs::is_directory(golden_dir())) return ids;
  for (const auto& e : fs::directory_iterator(golden_dir()))
    if (e.path().extension() == ".json") ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

class OnnxExportInOnnxRuntime : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxExportInOnnxRuntime, MatchesIndependentRuntime) {
  const std::string id = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, id);
  if (const auto why = facekit::testing::onnx_runtime_unavailable()) GTEST_SKIP() << *why;
  const fs::path golden_path = golden_dir() / (id + ".json");
  const json golden = json::parse(std::ifstream(golden_path));
  const json& first = golden["cases"][0];

  facekit::nn::Graph graph = facekit::nn::load_model(path.string());
  // The golden outputs, by name (faceres' descriptor is an internal value).
  std::vector<std::string> names;
  for (const auto& o : first["outputs"])
    if (o.contains("name")) names.push_back(o["name"]);
  if (!names.empty()) graph.set_outputs(names);
  // The export fixes the input shape. P-Net's golden input is smaller than
  // the size its file declares (the net is fully convolutional): export it
  // at the golden size.
  facekit::nn::Value& input = graph.values[graph.inputs.at(0)];
  const auto golden_shape = first["input"]["shape"].get<facekit::nn::Shape>();
  if (input.shape != golden_shape) {
    input.shape = golden_shape;
    graph.finalize();
  }

  const fs::path onnx = fs::temp_directory_path() / ("facekit_ort_" + id + "_" + std::to_string(::getpid()) + ".onnx");
  facekit::nn::export_onnx(graph, onnx.string());
  const auto result = facekit::testing::compare_with_onnx_runtime(onnx, golden_path);
  fs::remove(onnx);
  // The per-output errors are worth seeing even when the test passes.
  std::cout << "[ onnxruntime ] " << id << ":\n" << result.report;
  EXPECT_TRUE(result.ok) << "ONNX Runtime on the export of " << id << " differs from " << golden_path << ":\n"
                         << result.report;
}

// gtest names allow letters, digits and '_' only.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return s;
}

INSTANTIATE_TEST_SUITE_P(Zoo, OnnxExportInOnnxRuntime, ::testing::ValuesIn(golden_models()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxExportInOnnxRuntime);

}  // namespace
