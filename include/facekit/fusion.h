// Score-level fusion of several recognizers: `--model mobilefacenet+faceapi`.
//
// Each member recognizer embeds the same face (one detection, each member's
// own crop) and gives its distance under its own metric; a logistic
// regression over those distances, fitted on labelled pairs (LFW View 1
// DevTrain for the shipped cards), gives the probability that the pair is
// the same person:
//   P(same) = 1 / (1 + exp(−z)),  z = bias + Σᵢ weightᵢ · dᵢ
// The pair is "the same person" when P(same) ≥ threshold (0.5 unless the card
// says otherwise). So that fused scores read like every other distance in
// facekit (smaller is more alike, accepted at or below the threshold), the
// fused distance is 1 − P(same) and its threshold 1 − threshold.
//
// Fusion cards live in models/fusion.json (compiled in; each names the command
// that fitted it) and in $FACEKIT_MODELS/fusion/<name>.json, written by
// `facekit calibrate --model a+b`, which takes precedence. JSON form:
//   {"name": "mobilefacenet+faceapi",
//    "members": [{"model": "mobilefacenet", "metric": "cosine", "flip": true, "weight": -9.1}, ...],
//    "bias": 7.2, "threshold": 0.5, "pairs": 2200, "dataset": "...", "recipe": "facekit calibrate ..."}
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/eval.h"
#include "facekit/match.h"

namespace facekit {

// The separator of a fused model's members.
inline constexpr char kFusionSeparator = '+';

struct FusionMember {
  std::string model;  // a recognizer name (embed.h)
  Metric metric = Metric::kCosine;
  bool flip = false;  // flip test-time augmentation, as fitted
  double weight = 0;  // of this member's distance in z; negative for a sensible fit
};

struct FusionCard {
  std::string name;  // the members' names joined by '+', in the card's order
  std::vector<FusionMember> members;
  double bias = 0;
  double threshold = 0.5;  // on P(same), in (0, 1)
  int64_t pairs = 0;       // labelled pairs it was fitted on, 0 if unknown
  std::string dataset;     // where they came from
  std::string recipe;      // the command that reproduces the fit
  std::string source;      // where the card was found: "models/fusion.json" or the user file
};

// Whether `model` names a fusion (holds kFusionSeparator).
bool is_fusion(const std::string& model);

// The member names of a fused model name, in order. Throws Error naming the
// model when a member is empty, a member is not a zoo recognizer
// (recognizer_names(): a user's .onnx cannot be fused), a member appears
// twice, or there are fewer than two.
std::vector<std::string> fusion_members(const std::string& model);

// P(same) = sigmoid(bias + Σ weightᵢ · distancesᵢ), distances in the card's
// member order. Throws Error when the count differs from the members' or a
// distance is not finite.
double fused_probability(const FusionCard& card, std::span<const double> distances);
// 1 − fused_probability: the fused distance.
double fused_distance(const FusionCard& card, std::span<const double> distances);

// The card fusing exactly the members `model` names, in any order: the user's
// file, else the compiled-in models/fusion.json. Throws Error as
// fusion_members() does, naming a malformed file, and when no card fuses
// these members (saying to run `facekit calibrate --model <model> ...`).
FusionCard fusion_card(const std::string& model);

nlohmann::json fusion_card_to_json(const FusionCard& card);
// Throws Error naming `context` for missing or mistyped fields, a threshold
// outside (0, 1), a non-finite weight or bias, or members as fusion_members
// would refuse.
FusionCard fusion_card_from_json(const nlohmann::json& json, const std::string& context);

// $FACEKIT_MODELS/fusion/<name>.json (zoo::models_dir()).
std::filesystem::path fusion_card_path(const std::string& name);
// Writes `card` to fusion_card_path(card.name), atomically (a temporary file
// renamed over the old). Throws Error naming the file when it cannot.
void save_fusion_card(const FusionCard& card);

// Fits the weights and bias by maximum likelihood (Newton's method on the
// standardised distances, Platt's smoothed targets as fit_logistic), from
// `distances[pair][member]` (member order of `members`, whose weights are
// ignored) and the labels. The threshold is left at 0.5 (`facekit calibrate`
// then sets the best-accuracy one on the same pairs). Throws Error when the
// sizes disagree, a distance is not finite, or either class is absent.
FusionCard fit_fusion(std::vector<FusionMember> members, const std::vector<std::vector<double>>& distances,
                      const std::vector<bool>& same);

// The fused scores of labelled pairs from each member's scores of the same
// pairs (eval::score_pairs with the member's metric; card order): a pair is
// missed when any member missed it, else its distance is fused_distance().
// Missed and whole images are the members' (each image once). Throws Error
// when the count of members or of pairs disagrees.
eval::PairScores fuse_pair_scores(const FusionCard& card, const std::vector<eval::PairScores>& members);

// fit_fusion over the pairs no member missed (a miss has no distance to
// place), labels from the first member's scores. Throws Error as
// fuse_pair_scores and fit_fusion do.
FusionCard fit_fusion(std::vector<FusionMember> members, const std::vector<eval::PairScores>& member_scores);

}  // namespace facekit
