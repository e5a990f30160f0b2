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
  std::string cache;       // folder of cached embeddings (eval::EmbeddingCache); empty: none
};

// Adds --pairs, --root, --csv, --folders (one of the three required),
// --pairs-per-class, --seed and --cache to `cmd`.
void add_pair_source_options(CLI::App* cmd, PairSourceOptions& o);

// The labelled pairs the options name, and a name for them in reports.
// Throws Error (naming the file) as the readers do.
std::vector<eval::ImagePair> read_pairs(const PairSourceOptions& o);
std::string pair_source_name(const PairSourceOptions& o);

// The pairs the options name, each scored by eval::score_pairs between the
// largest faces of its two images, each image embedded once by `engine`; an
// image that cannot be read or has no face makes its pairs misses. The
// recognizer's names are checked before any image is read. A fused model's
// pairs are scored by each member (its own cache), then fused
// (fuse_pair_scores) when `fused` is given, the fitted card.
struct ScoredPairSource {
  std::string model;   // the recognizer's name, or the fused model's
  std::string metric;  // the metric's name, or "fusion"
  RecognizerCard card;  // a single recognizer's
  std::string source;   // pair_source_name()
  eval::PairScores scores;                       // fused with a fusion
  std::vector<eval::PairScores> member_scores;   // a fusion's, in its card's order
};
ScoredPairSource score_pair_source(const PairSourceOptions& source, Engine& engine, const RecognitionRequest& request);

// The members' scores of a fusion's pairs (member requests as `fusion` gives them).
std::vector<eval::PairScores> score_members(const PairSourceOptions& source, Engine& engine,
                                            const Engine::FusedRequest& fusion);

}  // namespace facekit::cli
