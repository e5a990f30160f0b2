#include "doctor_command.h"

#include <filesystem>
#include <iostream>

#include "facekit/doctor.h"

namespace facekit::cli {

CLI::App* add_doctor_command(CLI::App& app, DoctorCommandOptions& options) {
  auto* cmd = app.add_subcommand("doctor", "what is installed and working: models, CPU, threads, databases, training");
  cmd->add_option("--db", options.database, "also try this gallery (SQLite file, read-only; or postgresql://...)");
  cmd->add_flag("--json", options.json, "print the report as JSON");
  cmd->add_flag("--no-verify", options.no_verify, "do not checksum the installed models");
  return cmd;
}

int run_doctor(const DoctorCommandOptions& options) {
  doctor::Options o;
  std::error_code ec;
  o.tools_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  o.database = options.database;
  o.verify_models = !options.no_verify;
  const auto report = doctor::examine(o);
  if (options.json)
    std::cout << doctor::to_json(report).dump() << "\n";
  else
    std::cout << doctor::to_text(report);
  return report.healthy() ? 0 : 1;
}

}  // namespace facekit::cli
