// The graph passes and the fast executor on every installed zoo model that
// loads: on a random input (fixed seed),
//   reference(optimised graph) == reference(original)  within 1e-5, and
//   fast == reference                                    within 1e-4
// of each output's scale. Models not installed, or whose loader is not there
// yet, are skipped with the reason.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "nn/passes/passes.h"
#include "testing.h"

namespace facekit::nn {
namespace {

// A concrete input for a declared one: unknown dims become 1 (batch) or 64
// (spatial), and images larger than 600 pixels a side shrink to odd sizes so
// that the reference executor stays quick (P-Net, fully convolutional, is
// declared 1280×960).
Tensor random_input(const Value& v, std::mt19937& rng) {
  Shape s = v.shape;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] < 0) s[i] = i == 0 ? 1 : 64;
  if (s.size() == 4)
    for (size_t i = 1; i < 3; ++i)
      if (s[i] > 600) s[i] = i == 1 ? 161 : 123;
  const int64_t n = shape_numel(s);
  if (v.dtype == DType::kFloat32) {
    std::uniform_real_distribution<float> dist(-1, 1);
    std::vector<float> x(static_cast<size_t>(n));
    for (float& f : x) f = dist(rng);
    return Tensor::from_floats(s, x);
  }
  std::uniform_int_distribution<int32_t> dist(0, 255);
  std::vector<int32_t> x(static_cast<size_t>(n));
  for (int32_t& i : x) i = dist(rng);
  return v.dtype == DType::kInt32 ? Tensor::from_ints(s, x) : Tensor(v.dtype, s);
}

std::string op_histogram(const Graph& g) {
  std::map<std::string, int> count;
  for (const Node& n : g.nodes) ++count[n.op];
  std::string s;
  for (const auto& [op, k] : count) s += op + " " + std::to_string(k) + ", ";
  return s;
}

// How far the optimised graph may drift from the original. The passes are
// exact except that folding a batch-norm scale into the weights reassociates
// (W·x)·s into (W·s)·x; over faceres' 27 folded layers, with inputs in
// [-1, 1], that rounding reaches 1.6e-5 of the descriptor's scale (6e-6 with
// image-like inputs in [0, 1]).
double optimised_tolerance(const std::string& id) { return id == "human-faceres" ? 3e-5 : 1e-5; }

class FastZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(FastZoo, OptimisedAndFastMatchReference) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, GetParam());
  Graph graph;
  try {
    graph = load_model(path.string());
  } catch (const Error& e) {
    GTEST_SKIP() << "does not load (yet): " << e.what();
  }
  Graph optimised = graph;
  optimize(optimised);
  std::cout << GetParam() << ": " << graph.nodes.size() << " nodes → " << optimised.nodes.size()
            << " after optimize: " << op_histogram(optimised) << "\n";
  std::mt19937 rng(2024);
  std::vector<Tensor> inputs;
  for (int v : graph.inputs) inputs.push_back(random_input(graph.values[v], rng));
  const auto want = make_executor("reference", graph)->run(inputs);
  const auto want_optimised = make_executor("reference", optimised)->run(inputs);
  const auto got = make_executor("fast", graph, {1})->run(inputs);
  ASSERT_EQ(want.size(), got.size());
  ASSERT_EQ(want.size(), want_optimised.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string name = graph.values[graph.outputs[i]].name;
    EXPECT_LE(testing::relative_max_error(want_optimised[i], want[i]), optimised_tolerance(GetParam()))
        << "optimised graph, output " << name;
    EXPECT_LE(testing::relative_max_error(got[i], want[i]), 1e-4) << "fast executor, output " << name;
  }
}

// P-Net runs at every level of an image pyramid: one executor, many shapes
// (the primitive cache per input shape), each equal to the reference.
TEST(FastZooPyramid, PnetAtSeveralSizes) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "mtcnn-pnet");
  Graph graph;
  try {
    graph = load_model(path.string());
  } catch (const Error& e) {
    GTEST_SKIP() << "does not load (yet): " << e.what();
  }
  auto reference = make_executor("reference", graph);
  auto fast = make_executor("fast", graph, {1});
  std::mt19937 rng(5);
  for (const Shape& s : std::vector<Shape>{{1, 97, 73, 3}, {1, 12, 12, 3}, {1, 49, 37, 3}, {1, 97, 73, 3}}) {
    Value v = graph.values[graph.inputs[0]];
    v.shape = s;
    const std::vector<Tensor> in = {random_input(v, rng)};
    const auto want = reference->run(in);
    const auto got = fast->run(in);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_LE(testing::relative_max_error(got[i], want[i]), 1e-4) << shape_str(s) << " output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, FastZoo,
    ::testing::Values("mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite", "antispoof-dtn",
                      "blazeface-short", "blazeface-full", "blazeface-full-sparse", "faceapi-ssd-mobilenetv1",
                      "faceapi-tiny-face-detector", "faceapi-landmark68", "faceapi-landmark68-tiny",
                      "faceapi-recognition", "faceapi-age-gender", "faceapi-expression", "human-gear",
                      "human-emotion", "human-faceres", "human-mobileface", "human-mobilefacenet",
                      "human-antispoof", "human-liveness", "human-blazeface", "human-blazeface-front",
                      "human-facemesh-detection-short", "human-facemesh-detection-full", "human-facemesh",
                      "human-iris", "human-age", "human-gender"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string s = info.param;
      for (char& c : s)
        if (c == '-') c = '_';
      return s;
    });

}  // namespace
}  // namespace facekit::nn
