#include "testing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "facekit/error.h"

namespace facekit::testing {

namespace fs = std::filesystem;

fs::path models_dir() {
  if (const char* env = std::getenv("FACEKIT_MODELS"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".cache" / "facekit";
}

fs::path source_dir() { return FACEKIT_SOURCE_DIR; }

std::optional<fs::path> shared_data_dir() {
  fs::path p = source_dir() / ".." / "shared" / "data";
  if (fs::is_directory(p)) return fs::canonical(p);
  return std::nullopt;
}

std::optional<fs::path> zoo_model(const std::string& id) {
  std::ifstream in(source_dir() / "models" / "manifest.json");
  const auto manifest = nlohmann::json::parse(in);
  for (const auto& m : manifest["models"]) {
    if (m["id"] != id) continue;
    fs::path p = models_dir() / id / fs::path(m["files"][0]["path"].get<std::string>()).filename();
    if (fs::exists(p)) return p;
    return std::nullopt;
  }
  return std::nullopt;
}

double relative_max_error(const nn::Tensor& got, const nn::Tensor& want) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) return std::numeric_limits<double>::infinity();
  const auto g = got.to_floats();
  const auto w = want.to_floats();
  double scale = 1e-6, err = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    scale = std::max(scale, std::fabs(double(w[i])));
    const double d = std::fabs(double(g[i]) - double(w[i]));
    if (std::isnan(d)) return std::numeric_limits<double>::infinity();
    err = std::max(err, d);
  }
  return err / scale;
}

std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "cannot run " + command};
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::optional<std::string> faceapi_node_unavailable() {
  if (run_command("node --version").first != 0) return "node is not installed";
  if (!fs::exists(source_dir() / "tools" / "oracle" / "node_modules" / "@vladmandic" / "face-api"))
    return "@vladmandic/face-api is not installed (cd tools/oracle && npm ci)";
  return std::nullopt;
}

std::optional<std::string> onnx_runtime_unavailable() {
  if (run_command("node --version").first != 0) return "node is not installed";
  if (!fs::exists(source_dir() / "tools" / "oracle" / "node_modules" / "onnxruntime-node"))
    return "onnxruntime-node is not installed (cd tools/oracle && npm ci)";
  return std::nullopt;
}

OrtComparison compare_with_onnx_runtime(const fs::path& model, const fs::path& golden, double tolerance) {
  const fs::path script = source_dir() / "tools" / "oracle" / "ort_compare.mjs";
  const auto [status, output] = run_command("node " + quoted(script) + " " + quoted(model) + " " + quoted(golden) +
                                            " --tol " + std::to_string(tolerance));
  return {status == 0, output};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace facekit::testing
