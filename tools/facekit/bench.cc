#include "bench.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/flops.h"
#include "facekit/nn/model.h"
#include "facekit/zoo.h"

namespace facekit::cli {

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Deterministic, image-like inputs for every graph input (free dims = 1).
std::vector<nn::Tensor> make_inputs(const nn::Graph& g) {
  std::vector<nn::Tensor> inputs;
  for (int v : g.inputs) {
    nn::Shape s = g.values[v].shape;
    for (auto& d : s) d = d < 0 ? 1 : d;
    nn::Tensor t(g.values[v].dtype, s);
    if (t.dtype() == nn::DType::kFloat32) {
      float* p = t.data<float>();
      for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>((i * 2654435761u) % 255) / 127.5f - 1.f;
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

// Median latency (ms) of `ex` over about `seconds`, after a warm-up run.
double median_latency(nn::Executor& ex, const std::vector<nn::Tensor>& inputs, double seconds) {
  ex.run(inputs);
  std::vector<double> times;
  const auto start = Clock::now();
  while (times.size() < 3 || (ms_since(start) < seconds * 1000 && times.size() < 1000)) {
    const auto t0 = Clock::now();
    ex.run(inputs);
    times.push_back(ms_since(t0));
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

// Runs in the child: measures one model and exports it for the peers.
json measure(const std::string& id, const BenchOptions& o, const fs::path& onnx_dir) {
  json r = {{"model", id}};
  const auto t0 = Clock::now();
  nn::Graph g = nn::load_model(zoo::require(id).string());
  r["load_ms"] = ms_since(t0);
  const auto inputs = make_inputs(g);
  std::vector<nn::Shape> in_shapes;
  for (const auto& t : inputs) in_shapes.push_back(t.shape());
  r["input_shapes"] = in_shapes;
  r["gflop"] = nn::count_flops(g, g.infer_shapes(in_shapes)) / 1e9;
  for (int threads : {1, 0}) {
    auto ex = nn::make_executor(o.executor, g, {threads});
    r[threads == 1 ? "ms_1thread" : "ms_all"] = median_latency(*ex, inputs, o.seconds);
  }
  try {
    const fs::path onnx = onnx_dir / (id + ".onnx");
    nn::export_onnx(g, onnx.string());
    r["onnx"] = onnx.string();
  } catch (const Error& e) {
    r["onnx_error"] = e.what();
  }
  return r;
}

json measure_in_child(const std::string& id, const BenchOptions& o, const fs::path& tmp) {
  const fs::path out = tmp / (id + ".json");
  std::cout.flush();
  const pid_t pid = fork();
  if (pid == 0) {
    json r;
    try {
      r = measure(id, o, tmp);
    } catch (const std::exception& e) {
      r = {{"model", id}, {"error", e.what()}};
    }
    std::ofstream(out) << r.dump();
    _exit(0);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  json r = {{"model", id}, {"error", "benchmark process died"}};
  if (std::ifstream in(out); in) r = json::parse(in);
  r["peak_rss_mb"] = usage.ru_maxrss / 1024.0;
  return r;
}

// Runs tools/oracle/bench_peers.mjs on the measured models; empty on failure.
json run_peers(const json& results, const fs::path& tmp) {
  const fs::path script = fs::path(FACEKIT_SOURCE_DIR) / "tools" / "oracle" / "bench_peers.mjs";
  if (!fs::exists(script)) return json::object();
  const fs::path spec = tmp / "peers_in.json", out = tmp / "peers_out.json";
  std::ofstream(spec) << results.dump();
  const std::string cmd = "node '" + script.string() + "' '" + spec.string() + "' '" + out.string() + "' 1>&2";
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "bench: the peer runtimes failed; see above\n";
    return json::object();
  }
  std::ifstream in(out);
  return in ? json::parse(in) : json::object();
}

std::string fmt(const json& v, const char* f = "%.2f") {
  if (!v.is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v.get<double>());
  return buf;
}
}  // namespace

int run_bench(const BenchOptions& o) {
  std::vector<std::string> ids = o.models;
  if (ids.empty())
    for (const auto& m : zoo::models())
      if (m.format != "images") ids.push_back(m.id);
  char tmpl[] = "/tmp/facekit-bench-XXXXXX";
  check(mkdtemp(tmpl) != nullptr, "bench", "cannot create a temporary directory");
  const fs::path tmp = tmpl;

  json results = json::array();
  for (const auto& id : ids) {
    std::cerr << "bench: " << id << "\n";
    results.push_back(measure_in_child(id, o, tmp));
  }
  const json peers = o.peers ? run_peers(results, tmp) : json::object();

  std::printf("| model | GFLOP | load ms | facekit ms (1 thread) | facekit ms (%u threads) | GFLOP/s (1 thread) | "
              "peak RSS MB | tfjs-wasm ms (1 thread) | ORT ms (1 thread) | × tfjs-wasm | × ORT |\n",
              std::thread::hardware_concurrency());
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (auto& r : results) {
    const std::string id = r["model"];
    if (r.contains("error")) {
      std::printf("| %s | error: %s |\n", id.c_str(), r["error"].get<std::string>().c_str());
      continue;
    }
    const json p = peers.value(id, json::object());
    r["peers"] = p;
    const double ms1 = r["ms_1thread"];
    const json tfjs = p.value("tfjs_wasm_ms", json()), ort = p.value("ort_ms", json());
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", id.c_str(), fmt(r["gflop"], "%.3f").c_str(),
                fmt(r["load_ms"], "%.1f").c_str(), fmt(r["ms_1thread"]).c_str(), fmt(r["ms_all"]).c_str(),
                fmt(json(r["gflop"].get<double>() / ms1 * 1000), "%.1f").c_str(), fmt(r["peak_rss_mb"], "%.0f").c_str(),
                fmt(tfjs).c_str(), fmt(ort).c_str(),
                tfjs.is_number() ? fmt(json(tfjs.get<double>() / ms1), "%.1f×").c_str() : "—",
                ort.is_number() ? fmt(json(ort.get<double>() / ms1), "%.2f×").c_str() : "—");
  }
  if (!o.json_out.empty()) std::ofstream(o.json_out) << results.dump(1);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}

}  // namespace facekit::cli
