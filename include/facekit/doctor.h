// What is installed and working: the first thing to run when something is
// off (`facekit doctor`). Each check is one Finding; nothing is changed by
// looking (no model is installed, no database created or migrated).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace facekit {

// The version of the library linked, "MAJOR.MINOR.PATCH" (FACEKIT_VERSION in
// facekit/version.h is the version of the headers compiled against).
const char* version();

}  // namespace facekit

namespace facekit::doctor {

enum class Verdict {
  kOk,       // present and working
  kNote,     // an optional part absent, or a setting worth knowing; nothing broken
  kProblem,  // broken: a corrupt model, an unreachable database, a part that fails
};

struct Finding {
  std::string area;    // version | models | cpu | threads | database | optional
  std::string item;    // what was checked, e.g. "distance kernels"
  Verdict verdict = Verdict::kOk;
  std::string detail;  // what was found; for a problem, the reason and the fix
};

struct Options {
  // The folder of the running facekit binary, where facekit-train belongs;
  // empty: the optional training part is not looked for.
  std::filesystem::path tools_dir;
  // A gallery location to try (a SQLite file, opened read-only and never
  // created, or a postgresql:// URI, connected to and left as is); empty: none.
  std::string database;
  // Checksum every installed model file (reads them all: about a second).
  bool verify_models = true;
};

struct Report {
  std::vector<Finding> findings;  // in the order of the areas above
  // True when no finding is a problem.
  bool healthy() const;
};

// Runs every check. Never throws for what it finds (a failed check is a
// Finding); throws Error only for an invalid option (a database location
// holding a NUL byte).
Report examine(const Options& options);

// One line per finding: "[ok]      area  item: detail", then a summary line.
std::string to_text(const Report& report);
// {"healthy": bool, "findings": [{"area", "item", "verdict": "ok|note|problem", "detail"}]}.
nlohmann::json to_json(const Report& report);
const char* verdict_name(Verdict verdict);

}  // namespace facekit::doctor
