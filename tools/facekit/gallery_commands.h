// `facekit enroll DIR --db people.db|postgresql://...`,
// `facekit find IMAGE... --db people.db|postgresql://...|DIR`
// and `facekit cluster DIR`: identification on the command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "recognition_options.h"

namespace facekit::cli {

struct EnrollCommandOptions {
  std::string folder;
  std::string db;
  int batch = 16;  // photos per transaction
  int jobs = 0;    // worker threads, each with its own models; 0: all cores
  RecognitionOptions recognition;
};

struct FindCommandOptions {
  std::vector<std::string> images;
  std::string db;  // a gallery (file or URI), or a people folder enrolled in memory
  int k = 5;
  std::string aggregation = "best";
  int top_n = 3;
  std::string index = "exact";
  bool text = false;
  std::string thumbnails;  // a folder for the matched thumbnails; empty: none
  RecognitionOptions recognition;
  std::optional<double> threshold;  // empty: the calibrated one (match.h)
};

struct ClusterCommandOptions {
  std::string folder;
  bool text = false;
  RecognitionOptions recognition;
  std::optional<double> threshold;  // empty: the calibrated one (match.h)
};

// The gallery key of the vectors these options make: the recognizer's name,
// "+flip" with flip test-time augmentation (its vectors differ).
std::string gallery_model(const RecognitionOptions& options, const Recognizer& recognizer);

// Each adds its subcommand to `app`, filling the options when parsed.
CLI::App* add_enroll_command(CLI::App& app, EnrollCommandOptions& options);
CLI::App* add_find_command(CLI::App& app, FindCommandOptions& options);
CLI::App* add_cluster_command(CLI::App& app, ClusterCommandOptions& options);

// Each runs its command. An unreadable or faceless image prints one line on
// stderr naming it and the reason, and the rest go on. enroll prints a JSON
// summary; find one JSON object per image (JSON Lines); cluster one object.
// Return the exit status (1 when an image of find could not be read); throw
// Error for bad options, a missing model or an unusable gallery.
int run_enroll(const EnrollCommandOptions& options);
int run_find(const FindCommandOptions& options);
int run_cluster(const ClusterCommandOptions& options);

}  // namespace facekit::cli
