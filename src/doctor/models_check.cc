// Models: every model of the zoo, verified by its checksums (what
// `facekit models check` does), summed up in one line plus one per model
// that needs attention.
#include <filesystem>
#include <system_error>

#include "doctor/checks.h"
#include "facekit/zoo.h"

namespace facekit::doctor {

void check_models(bool verify, std::vector<Finding>& out) {
  const auto dir = zoo::models_dir();
  std::error_code ec;
  int installed = 0, missing = 0, corrupt = 0;
  std::vector<Finding> per_model;
  for (const auto& m : zoo::models()) {
    zoo::Status s = zoo::Status::kMissing;
    if (verify) {
      s = zoo::status(m);
    } else {
      bool present = true;
      for (const auto& f : m.files) present = present && std::filesystem::exists(zoo::installed_path(m, f), ec);
      if (present) s = zoo::Status::kInstalled;
    }
    if (s == zoo::Status::kInstalled) {
      ++installed;
    } else if (s == zoo::Status::kMissing) {
      ++missing;
      per_model.push_back({"models", m.id, Verdict::kNote, "not installed: `facekit models install " + m.id + "`"});
    } else {
      ++corrupt;
      per_model.push_back({"models", m.id, Verdict::kProblem,
                           "size or checksum mismatch in " + (dir / m.id).string() + ": `facekit models install " + m.id +
                               "` replaces it"});
    }
  }
  const int total = static_cast<int>(zoo::models().size());
  std::string detail = std::to_string(installed) + " of " + std::to_string(total) + " installed" +
                       (verify ? " and verified (SHA-256)" : " (not verified)") + " in " + dir.string();
  if (!std::filesystem::is_directory(dir, ec)) detail = "no models folder " + dir.string() + ": `facekit models install`";
  const Verdict verdict = corrupt ? Verdict::kProblem : missing ? Verdict::kNote : Verdict::kOk;
  out.push_back({"models", "zoo", verdict, detail});
  out.insert(out.end(), per_model.begin(), per_model.end());
}

}  // namespace facekit::doctor
