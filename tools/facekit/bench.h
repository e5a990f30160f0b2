// `facekit bench`: per zoo model, load time, latency on one thread and on all
// cores, GFLOP/s and peak memory — each model measured in a child process so
// that its peak RSS is its own — and, in the same run, the same models in the
// peer runtimes (TensorFlow.js wasm, ONNX Runtime) through tools/oracle.
#pragma once

#include <string>
#include <vector>

namespace facekit::cli {

struct BenchOptions {
  std::vector<std::string> models;   // empty = every model of the zoo
  std::string executor = "fast";
  double seconds = 0.5;              // timed budget per measurement
  bool peers = true;                 // also run tools/oracle/bench_peers.mjs
  std::string json_out;              // optional: write the results as JSON
};

int run_bench(const BenchOptions& options);

}  // namespace facekit::cli
