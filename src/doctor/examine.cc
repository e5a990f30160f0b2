#include <sstream>

#include "doctor/checks.h"
#include "facekit/error.h"
#include "facekit/version.h"

namespace facekit::doctor {

bool Report::healthy() const {
  for (const auto& f : findings)
    if (f.verdict == Verdict::kProblem) return false;
  return true;
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk: return "ok";
    case Verdict::kNote: return "note";
    case Verdict::kProblem: return "problem";
  }
  return "?";
}

void check_version(std::vector<Finding>& out) {
  out.push_back({"version", "facekit", Verdict::kOk, std::string("library ") + version()});
}

Report examine(const Options& options) {
  check(options.database.find('\0') == std::string::npos, "doctor --db", "the location holds a NUL byte");
  Report report;
  check_version(report.findings);
  check_models(options.verify_models, report.findings);
  check_cpu(report.findings);
  check_threads(report.findings);
  check_databases(options.database, report.findings);
  check_optional_parts(options.tools_dir, report.findings);
  return report;
}

std::string to_text(const Report& report) {
  std::ostringstream out;
  int problems = 0, notes = 0;
  for (const auto& f : report.findings) {
    problems += f.verdict == Verdict::kProblem;
    notes += f.verdict == Verdict::kNote;
    std::string tag = std::string("[") + verdict_name(f.verdict) + "]";
    tag.resize(10, ' ');
    std::string area = f.area;
    area.resize(9, ' ');
    out << tag << area << f.item << ": " << f.detail << "\n";
  }
  out << (problems ? std::to_string(problems) + " problem(s)" : std::string("no problems")) << ", " << notes
      << " note(s)\n";
  return out.str();
}

nlohmann::json to_json(const Report& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : report.findings)
    findings.push_back({{"area", f.area}, {"item", f.item}, {"verdict", verdict_name(f.verdict)}, {"detail", f.detail}});
  return {{"healthy", report.healthy()}, {"findings", findings}};
}

}  // namespace facekit::doctor
