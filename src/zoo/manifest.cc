#include <cstdlib>
#include <mutex>

#include "facekit/error.h"
#include "facekit/zoo.h"

namespace facekit::zoo {

extern const char* const kManifestJson;  // models/manifest.json, embedded by CMake

std::filesystem::path models_dir() {
  if (const char* env = std::getenv("FACEKIT_MODELS"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : ".") / ".cache" / "facekit";
}

const std::vector<ModelInfo>& models() {
  static const std::vector<ModelInfo> all = [] {
    const auto manifest = nlohmann::json::parse(kManifestJson);
    std::vector<ModelInfo> out;
    std::map<std::string, std::string> versions;
    for (const auto& p : manifest.at("packages")) versions[p.at("name")] = p.at("version");
    for (const auto& m : manifest.at("models")) {
      ModelInfo info;
      info.id = m.at("id");
      info.package = m.at("package");
      info.version = versions.at(info.package);
      info.format = m.at("format");
      for (const auto& f : m.at("files")) info.files.push_back({f.at("path"), f.at("sha256"), f.at("bytes")});
      info.card = m.at("card");
      out.push_back(std::move(info));
    }
    return out;
  }();
  return all;
}

const ModelInfo& model(const std::string& id) {
  std::string known;
  for (const auto& m : models()) {
    if (m.id == id) return m;
    known += (known.empty() ? "" : ", ") + m.id;
  }
  throw Error("model '" + id + "': unknown (known models: " + known + ")");
}

std::filesystem::path installed_path(const ModelInfo& m, const ModelFile& f) {
  return models_dir() / m.id / std::filesystem::path(f.path).filename();
}

Status status(const ModelInfo& m) {
  for (const auto& f : m.files) {
    const auto p = installed_path(m, f);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) return Status::kMissing;
    if (static_cast<int64_t>(std::filesystem::file_size(p, ec)) != f.bytes || sha256_file(p) != f.sha256)
      return Status::kCorrupt;
  }
  return Status::kInstalled;
}

std::filesystem::path require(const std::string& id) {
  static std::map<std::filesystem::path, bool> verified;  // by path: $FACEKIT_MODELS may change
  static std::mutex verifying;  // threads loading their own models at once (enroll --jobs)
  const ModelInfo& m = model(id);
  const auto entry = installed_path(m, m.files.front());
  const std::lock_guard lock(verifying);
  if (!verified[entry]) {
    switch (status(m)) {
      case Status::kMissing:
        throw Error("model '" + id + "' is not installed in " + models_dir().string() + ": run `facekit models install " + id + "`");
      case Status::kCorrupt:
        throw Error("model '" + id + "' in " + models_dir().string() + " is corrupt (checksum mismatch): run `facekit models install " + id + "`");
      case Status::kInstalled:
        break;
    }
    verified[entry] = true;
  }
  return entry;
}

}  // namespace facekit::zoo
