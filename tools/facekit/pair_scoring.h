// What `facekit eval` and `facekit calibrate` share: where the labelled image
// pairs come from (--pairs/--root, --csv, --folders) and their distances.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/eval.h"
#include "recognition_options.h"

namespace facekit::cli {

struct PairSourceOptions {
  std::string lfw_pairs;   // LFW pairs.txt
  std::string root;        // image root for --pairs (required) and --csv (default: the CSV's folder)
  std::string csv;         // a,b,same
  std::string folders;     // a folder per identity
  eval::FolderSampling sampling;
};

// Adds --pairs, --root, --csv, --folders (one of the three required),
// --pairs-per-class and --seed to `cmd`.
void add_pair_source_options(CLI::App* cmd, PairSourceOptions& o);

// The labelled pairs the options name, and a name for them in reports.
// Throws Error (naming the file) as the readers do.
std::vector<eval::ImagePair> read_pairs(const PairSourceOptions& o);
std::string pair_source_name(const PairSourceOptions& o);

// The pairs the options name, each scored by eval::score_pairs between the
// largest faces of its two images, each image embedded once by `engine`; an
// image that cannot be read or has no face makes its pairs misses. The
// recognizer's names are checked before any image is read.
struct ScoredPairSource {
  RecognizerCard card;  // of the recognizer that embedded them
  Metric metric = Metric::kCosine;
  std::string source;   // pair_source_name()
  eval::PairScores scores;
};
ScoredPairSource score_pair_source(const PairSourceOptions& source, Engine& engine, const RecognitionRequest& request);

}  // namespace facekit::cli
