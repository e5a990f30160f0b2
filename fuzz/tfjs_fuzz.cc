// libFuzzer target for the TF.js graph loader: any bytes, read as model.json
// beside a small fixed weight shard, either load or raise one facekit::Error;
// anything else (a crash, a sanitizer report, another exception type) is a bug.
//
// The loader reads files, so each input is written to a private temporary
// directory (the cost is small next to parsing).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "facekit/error.h"
#include "facekit/nn/model.h"

namespace {

// The directory holding w.bin: 16 small int32 values (shape-like constants:
// slice bounds, paddings, axes) then 16 float32 values. Seed manifests skip
// to what they need with an unused leading weight.
const std::filesystem::path& work_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("facekit_tfjs_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    std::ofstream bin(d / "w.bin", std::ios::binary);
    for (int32_t v : {0, 1, 1, -1, 0, 0, 1, 1, 0, 0, 0, 0, 4, 4, 1, 2}) bin.write(reinterpret_cast<const char*>(&v), 4);
    for (float v : {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f, 3.0f, -2.0f, 0.125f, 1.0f, -0.5f, 0.0f, 4.0f, -3.0f, 0.1f, 7.0f})
      bin.write(reinterpret_cast<const char*>(&v), 4);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = (work_dir() / "model.json").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    facekit::nn::load_tfjs_graph(path);
  } catch (const facekit::Error&) {
  }
  return 0;
}
