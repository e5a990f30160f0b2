// Reference vs fast executor, 1 thread and all threads: on synthetic conv
// layers (the shapes that dominate the zoo's recognisers) and on every
// installed zoo model that loads. Reports conv/matmul GFLOP/s ("GFLOPs"
// counter: 2 FLOPs per multiply-accumulate, see facekit/nn/flops.h).
//
//   build-*/executor_bench --benchmark_filter=fast --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <iostream>
#include <random>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/flops.h"
#include "facekit/nn/model.h"
#include "testing.h"

namespace facekit::nn {
namespace {

Tensor random_tensor(const Shape& s, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(shape_numel(s)));
  for (float& x : v) x = dist(rng);
  return Tensor::from_floats(s, v);
}

// One Conv (+bias, Relu) on an NHWC input.
Graph conv_graph(Shape in, int64_t out_ch, int64_t k, int64_t stride, int64_t group) {
  std::mt19937 rng(1);
  Graph g;
  g.name = "conv";
  const int x = g.add_value("x", DType::kFloat32, in);
  g.inputs = {x};
  const int w = g.add_constant("w", random_tensor({out_ch, k, k, in[3] / group}, rng));
  const int b = g.add_constant("b", random_tensor({out_ch}, rng));
  const int y = g.add_value("y");
  Attributes a;
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("auto_pad", std::string("SAME_UPPER"));
  a.set("group", group);
  a.set("activation", std::string("Relu"));
  g.add_node("Conv", {x, w, b}, {y}, a);
  g.outputs = {y};
  g.finalize();
  return g;
}

// Concrete inputs for `g` (unknown dims: batch 1, spatial 64).
std::vector<Tensor> inputs_for(const Graph& g) {
  std::mt19937 rng(7);
  std::vector<Tensor> in;
  for (int v : g.inputs) {
    Shape s = g.values[v].shape;
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] < 0) s[i] = i == 0 ? 1 : 64;
    in.push_back(random_tensor(s, rng));
  }
  return in;
}

void register_graph(const std::string& label, const Graph& g) {
  const auto inputs = inputs_for(g);
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  const double flops = static_cast<double>(count_flops(g, g.infer_shapes(shapes)));
  for (const char* kind : {"reference", "fast"})
    for (int threads : {1, 0}) {
      const std::string name = label + "/" + kind + "/threads:" + (threads ? "1" : "all");
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [g, inputs, flops, kind, threads](benchmark::State& state) {
        auto exec = make_executor(kind, g, {threads});
        exec->run(inputs);  // warm-up: primitive creation, weight reorders
        for (auto _ : state) benchmark::DoNotOptimize(exec->run(inputs));
        state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
      });
      // One thread: rates from CPU time, which a loaded machine distorts less;
      // all threads: from wall time (CPU time counts the calling thread only).
      b->Unit(benchmark::kMillisecond);
      if (threads != 1) b->UseRealTime();
    }
}

void register_all() {
  register_graph("conv1x1_56x56x64-128", conv_graph({1, 56, 56, 64}, 128, 1, 1, 1));
  register_graph("conv3x3_56x56x64-64", conv_graph({1, 56, 56, 64}, 64, 3, 1, 1));
  register_graph("conv3x3s2_112x112x3-64", conv_graph({1, 112, 112, 3}, 64, 3, 2, 1));
  register_graph("dw3x3_56x56x128", conv_graph({1, 56, 56, 128}, 128, 3, 1, 128));
  for (const char* id : {"mobilefacenet-tflite", "human-mobilefacenet", "faceapi-recognition", "human-faceres",
                         "human-mobileface", "mtcnn-pnet", "mtcnn-onet", "blazeface-short", "human-gear",
                         "antispoof-dtn"}) {
    const auto path = testing::zoo_model(id);
    if (!path) continue;
    try {
      register_graph(id, load_model(path->string()));
    } catch (const Error& e) {
      std::cerr << id << ": skipped: " << e.what() << "\n";
    }
  }
}

}  // namespace
}  // namespace facekit::nn

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  facekit::nn::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
