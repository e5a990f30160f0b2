// `facekit enroll DIR --db people.db|postgresql://...`,
// `facekit find IMAGE... --db people.db|postgresql://...|DIR`
// and `facekit cluster DIR`: identification on the command line.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/engine.h"

namespace facekit::cli {

struct EnrollCommandOptions {
  EnrollRequest request;
  EngineOptions engine;
};

struct FindCommandOptions {
  std::vector<std::string> images;
  FindRequest request;
  EngineOptions engine;
  bool text = false;
};

struct ClusterCommandOptions {
  ClusterRequest request;
  EngineOptions engine;
  bool text = false;
};

// Each adds its subcommand to `app`, filling the options when parsed.
CLI::App* add_enroll_command(CLI::App& app, EnrollCommandOptions& options);
CLI::App* add_find_command(CLI::App& app, FindCommandOptions& options);
CLI::App* add_cluster_command(CLI::App& app, ClusterCommandOptions& options);

// Each runs its command. An unreadable or faceless image prints one line on
// stderr naming it and the reason, and the rest go on. enroll prints a JSON
// summary; find one JSON object per image (JSON Lines); cluster one object
// (json.h's forms). Return the exit status: 1 when an image could not be
// read, else 0; throw Error for bad options, a missing model or an unusable
// gallery.
int run_enroll(const EnrollCommandOptions& options);
int run_find(const FindCommandOptions& options);
int run_cluster(const ClusterCommandOptions& options);

}  // namespace facekit::cli
