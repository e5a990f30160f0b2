// `facekit doctor [--db LOCATION] [--json] [--no-verify]`: what is installed
// and working (facekit/doctor.h) — the first thing to run when something is off.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace facekit::cli {

struct DoctorCommandOptions {
  std::string database;  // a gallery to try: SQLite file or postgresql:// URI
  bool json = false;
  bool no_verify = false;  // skip the models' checksums
};

// Adds the `doctor` subcommand to `app`, filling `options` when parsed.
CLI::App* add_doctor_command(CLI::App& app, DoctorCommandOptions& options);

// Prints the report (text, or JSON with --json) to stdout; returns 0 when
// healthy, 1 when any finding is a problem.
int run_doctor(const DoctorCommandOptions& options);

}  // namespace facekit::cli
