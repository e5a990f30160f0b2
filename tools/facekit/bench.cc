#include "bench.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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
#include "peak_flops.h"

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
    // Exported at the shapes facekit ran: a free dimension (an unknown batch)
    // becomes the size it was given, as ONNX Runtime then sees the same problem.
    for (size_t i = 0; i < g.inputs.size(); ++i) g.values[g.inputs[i]].shape = in_shapes[i];
    g.finalize();
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

// Runs tools/oracle/bench_peers.mjs on the measured models. On failure the
// reason is returned as {"error": ...}, and every peer cell says it.
json run_peers(const json& results, double seconds, const fs::path& tmp) {
  const fs::path script = fs::path(FACEKIT_SOURCE_DIR) / "tools" / "oracle" / "bench_peers.mjs";
  if (!fs::exists(script)) return {{"error", "no " + script.string()}};
  const fs::path spec = tmp / "peers_in.json", out = tmp / "peers_out.json";
  std::ofstream(spec) << json{{"seconds", seconds}, {"models", results}}.dump();
  const std::string cmd = "node '" + script.string() + "' '" + spec.string() + "' '" + out.string() + "' 1>&2";
  const int status = std::system(cmd.c_str());
  // The script writes after each model: keep what it measured even if it failed later.
  std::ifstream in(out);
  json peers = in ? json::parse(in, nullptr, false) : json();
  if (!peers.is_object()) peers = json::object();
  if (status != 0) {
    std::cerr << "bench: the peer runtimes failed (status " << status << "); see above\n";
    peers["error"] = "node tools/oracle/bench_peers.mjs failed";
  }
  return peers;
}

// A table cell: a number, or "—" when there is none.
std::string num(const json& v, const char* f = "%.2f") {
  if (!v.is_number()) return "—";
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v.get<double>());
  return buf;
}

// peer ms / facekit ms (> 1: facekit is faster), or "—".
std::string ratio(const json& peer_ms, const json& own_ms) {
  if (!peer_ms.is_number() || !own_ms.is_number() || own_ms.get<double>() <= 0) return "—";
  return num(peer_ms.get<double>() / own_ms.get<double>(), "%.2f×");
}

// "n/a (reason)", made safe for a Markdown cell.
std::string not_available(std::string reason) {
  // Messages name the model file first; the table row already names the model.
  if (reason.rfind("graph '", 0) == 0 && reason.find("', ") != std::string::npos) reason = reason.substr(reason.find("', ") + 3);
  std::replace(reason.begin(), reason.end(), '|', '/');
  if (reason.size() > 80) reason = reason.substr(0, 77) + "...";
  return "n/a (" + reason + ")";
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// Geometric mean and minimum of peer/facekit over the models both ran.
struct RatioSummary {
  double log_sum = 0, min = 0;
  int count = 0;
  void add(const json& peer_ms, const json& own_ms) {
    if (!peer_ms.is_number() || !own_ms.is_number() || own_ms.get<double>() <= 0) return;
    const double r = peer_ms.get<double>() / own_ms.get<double>();
    min = count ? std::min(min, r) : r;
    log_sum += std::log(r);
    ++count;
  }
  std::string str() const {
    if (!count) return "no models";
    char buf[96];
    std::snprintf(buf, sizeof buf, "geometric mean %.2f×, minimum %.2f× (%d models)", std::exp(log_sum / count), min, count);
    return buf;
  }
};

void print_table(json& results, const json& peers, const PeakFlops& peak) {
  const unsigned cores = std::thread::hardware_concurrency();
  std::printf("Machine: %s, %u cores; one core's fp32 peak %s.\n\n", cpu_name().c_str(), cores,
              peak.gflops > 0 ? (num(peak.gflops, "%.1f") + " GFLOP/s (" + peak.isa + " FMA loop, measured)").c_str()
                              : "unknown");
  std::printf("| model | GFLOP | ms 1T | ms %uT | GFLOP/s 1T | %% of peak | peak RSS MB | load ms "
              "| tfjs-wasm ms 1T | × tfjs | ORT ms 1T | × ORT 1T | ORT ms %uT | × ORT %uT |\n", cores, cores, cores);
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  RatioSummary vs_tfjs, vs_ort1, vs_ort_all;
  std::vector<std::string> notes;
  for (auto& r : results) {
    const std::string id = r["model"];
    if (r.contains("error")) {
      std::printf("| %s | %s |||||||||||||\n", id.c_str(), not_available(r["error"]).c_str());
      continue;
    }
    json p = peers.value(id, json::object());
    if (peers.contains("error") && p.empty()) p = {{"tfjs_error", peers["error"]}, {"ort_error", peers["error"]}};
    r["peers"] = p;
    const json ms1 = r["ms_1thread"], ms_all = r["ms_all"];
    const json gflops = r["gflop"].get<double>() / ms1.get<double>() * 1000;
    const json tfjs = p.value("tfjs_ms", json()), ort1 = p.value("ort_ms", json()), ort_all = p.value("ort_all_ms", json());
    std::string tfjs_cell = tfjs.is_number() ? num(tfjs) : not_available(p.value("tfjs_error", "not run"));
    if (tfjs.is_number() && p.value("tfjs_backend", "") != "wasm") {
      tfjs_cell += " (cpu)";
      notes.push_back(id + ": " + p.value("tfjs_note", ""));
    } else {
      vs_tfjs.add(tfjs, ms1);
    }
    vs_ort1.add(ort1, ms1);
    vs_ort_all.add(ort_all, ms_all);
    const std::string ort_na = not_available(p.value("ort_error", "not run"));
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", id.c_str(),
                num(r["gflop"], "%.3f").c_str(), num(ms1).c_str(), num(ms_all).c_str(), num(gflops, "%.1f").c_str(),
                peak.gflops > 0 ? num(gflops.get<double>() / peak.gflops * 100, "%.0f%%").c_str() : "—",
                num(r["peak_rss_mb"], "%.0f").c_str(), num(r["load_ms"], "%.1f").c_str(), tfjs_cell.c_str(),
                ratio(tfjs, ms1).c_str(), ort1.is_number() ? num(ort1).c_str() : ort_na.c_str(), ratio(ort1, ms1).c_str(),
                ort_all.is_number() ? num(ort_all).c_str() : "—", ratio(ort_all, ms_all).c_str());
  }
  std::printf("\nLatencies are medians after a warm-up run; × columns are peer ms / facekit ms at the same thread count "
              "(above 1: facekit is faster). tfjs-wasm: @tensorflow/tfjs-backend-wasm, SIMD, 1 thread; ORT: "
              "onnxruntime-node on facekit's ONNX export.\n");
  std::printf("\n- vs tfjs-wasm (1 thread): %s\n- vs ORT (1 thread): %s\n- vs ORT (%u threads): %s\n",
              vs_tfjs.str().c_str(), vs_ort1.str().c_str(), cores, vs_ort_all.str().c_str());
  for (const auto& n : notes) std::printf("- (cpu) %s\n", n.c_str());
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

  const PeakFlops peak = measure_peak_flops();
  json results = json::array();
  for (const auto& id : ids) {
    std::cerr << "bench: " << id << "\n";
    results.push_back(measure_in_child(id, o, tmp));
  }
  const json peers = o.peers ? run_peers(results, o.seconds, tmp) : json::object();
  print_table(results, peers, peak);
  if (!o.json_out.empty()) {
    const json report = {{"cpu", cpu_name()}, {"cores", std::thread::hardware_concurrency()},
                         {"peak_gflops_1core", peak.gflops}, {"peak_isa", peak.isa}, {"seconds", o.seconds},
                         {"executor", o.executor}, {"models", results}};
    std::ofstream(o.json_out) << report.dump(1);
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}

}  // namespace facekit::cli
