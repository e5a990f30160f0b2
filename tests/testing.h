// Helpers shared by the tests: where models and data are, and how outputs are
// compared.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "facekit/nn/tensor.h"

namespace facekit::testing {

// $FACEKIT_MODELS, else ~/.cache/facekit.
std::filesystem::path models_dir();
// The entry file of zoo model `id` (its first file in models/manifest.json),
// or nullopt when it is not installed (tests then GTEST_SKIP with a message).
std::optional<std::filesystem::path> zoo_model(const std::string& id);
// The repository root and ../shared/data (nullopt when absent).
std::filesystem::path source_dir();
std::optional<std::filesystem::path> shared_data_dir();

// Largest |got - want| divided by max(|want|) (the output's scale, floored at
// 1e-6); infinity when shapes or dtypes differ.
double relative_max_error(const nn::Tensor& got, const nn::Tensor& want);

// The message of the facekit::Error that `f` throws, or "" when it throws none.
std::string error_of(const std::function<void()>& f);

// Runs `command` through the shell: its exit status and its output (stdout
// and stderr together).
std::pair<int, std::string> run_command(const std::string& command);
// `p` in single quotes, for a shell command.
std::string quoted(const std::filesystem::path& p);

// Why face-api cannot run in Node here (no `node`, no @vladmandic/face-api
// under tools/oracle/node_modules), or nullopt when it can.
std::optional<std::string> faceapi_node_unavailable();

// ONNX Runtime as an oracle for ONNX exports (tools/oracle/ort_compare.mjs on
// onnxruntime-node). Why it cannot run here (no `node`, no onnxruntime-node
// under tools/oracle/node_modules), or nullopt when it can.
std::optional<std::string> onnx_runtime_unavailable();
struct OrtComparison {
  bool ok = false;     // every output within `tolerance`
  std::string report;  // the script's output: one line per output, or its error
};
// Runs `model` (.onnx) in ONNX Runtime on the first case of `golden` (the
// JSON + .bin format ort_compare.mjs documents) and compares the outputs.
OrtComparison compare_with_onnx_runtime(const std::filesystem::path& model, const std::filesystem::path& golden,
                                        double tolerance = 1e-4);

}  // namespace facekit::testing

// Skips the current test when zoo model `id` is not installed; otherwise
// declares `var` as its path.
#define FACEKIT_ZOO_MODEL_OR_SKIP(var, id)                                              \
  auto var##_opt = ::facekit::testing::zoo_model(id);                                   \
  if (!var##_opt) GTEST_SKIP() << "model " << (id) << " not installed: run `facekit models install`"; \
  const std::filesystem::path var = *var##_opt
