// Evaluation of a verifier on labelled pairs: ROC, AUC, EER, TAR at fixed
// FAR, best and cross-validated accuracy; where the pairs come from (LFW
// pairs.txt, CSV, a folder per identity); a JSON report and an ROC plot.
//
// Convention throughout: a pair is accepted ("same") when its distance is at
// or below the threshold. TAR (true accept rate) is the share of genuine
// (same) pairs accepted, FAR (false accept rate) the share of impostor
// (different) pairs accepted.
//
// Every pair counts. A pair whose image gave no embedding (unreadable, or no
// face and no whole-image fallback) is a *missed* pair, carried with distance
// +inf:
//   - in accuracy (best_accuracy, accuracy_at, cross_validate) it is a wrong
//     decision at every threshold, genuine or impostor;
//   - in the ROC, AUC, EER and TAR at FAR it ranks behind every scored pair,
//     so it is rejected at every finite threshold: a missed genuine pair is a
//     false reject, a missed impostor pair a correct reject (the system could
//     not accept it). The ROC's last point (threshold +inf) accepts everything,
//     misses included, closing the curve at (1, 1); AUC counts a missed genuine
//     against a missed impostor as a tie (1/2).
// So accuracy counts a miss against the system either way, while TAR at FAR
// reads as a deployed system would behave, and a scored-pairs-only report
// (scored_only) gives the figures of the pipeline on the faces it found.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/match.h"

namespace facekit::eval {

// One labelled, scored pair. `fold` is its cross-validation fold (LFW's
// sets, or the sampler's), or -1 when the source has none. A missed pair (see
// above) has distance +inf.
struct ScoredPair {
  double distance = 0;
  bool same = false;
  int fold = -1;

  bool missed() const { return distance == std::numeric_limits<double>::infinity(); }
  static ScoredPair miss(bool same, int fold = -1) { return {std::numeric_limits<double>::infinity(), same, fold}; }
};

// The pairs that are not missed, in order.
std::vector<ScoredPair> scored_only(const std::vector<ScoredPair>& pairs);

struct RocPoint {
  double threshold = 0;
  double far = 0;
  double tar = 0;
};

// Throws Error unless `pairs` holds at least one genuine and one impostor
// pair and every distance is finite or +inf (a miss), with at least one pair
// scored; `context` names the pairs' origin.
void check_scored(const std::vector<ScoredPair>& pairs, const std::string& context);

// The ROC at every threshold that changes it: the first point rejects all
// (threshold just below the smallest distance, FAR = TAR = 0), then one point
// per distinct distance, ascending, the last accepting all (FAR = TAR = 1).
std::vector<RocPoint> roc(const std::vector<ScoredPair>& pairs);

// Area under the ROC: the probability that a random genuine pair is closer
// than a random impostor pair, ties counting one half (the Mann–Whitney U
// statistic over G·I), computed exactly from mid-ranks in O(n log n).
double auc(const std::vector<ScoredPair>& pairs);

// Equal error rate: where FAR = FRR (1 − TAR), linearly interpolated between
// the two ROC points that bracket the crossing, and the threshold there
// (interpolated the same way).
struct Eer {
  double rate = 0;
  double threshold = 0;
};
Eer equal_error_rate(const std::vector<RocPoint>& roc);

// TAR at a target FAR: the ROC point with the largest TAR whose FAR does not
// exceed the target. With I impostor pairs the smallest FAR that can be told
// from zero is 1/I; when target < 1/I the operating point cannot be measured:
// `measurable` is false and tar and threshold are NaN (null in JSON) rather
// than a number that would only reflect the sample size.
struct TarAtFar {
  double target_far = 0;
  bool measurable = false;
  double tar = 0;
  double threshold = 0;
  double far = 0;          // the FAR actually reached there (<= target)
  double lowest_measurable_far = 0;  // 1 / I
};
TarAtFar tar_at_far(const std::vector<RocPoint>& roc, int64_t impostors, double target_far);

// The operating point of a target false accept rate read from impostor
// distances alone (a card's FAR table): with N impostor distances (a missed
// pair, +inf, counts in N and is never accepted), the largest threshold that
// accepts at most k = floor(target · N) of them — the midpoint between the
// last accepted distance and the next, stepping below ties so that a tied
// group is accepted whole or not at all. `far` is the share it accepts
// (<= target). Throws Error naming `context` when target is not in (0, 1),
// when there is no impostor distance, a distance is NaN, negative or -inf,
// or target < 1 / N or ties leave no threshold accepting at least one but at
// most k (the rate cannot be read from so few impostors).
struct FarThreshold {
  double target_far = 0;
  double threshold = 0;
  double far = 0;        // accepted / impostors at `threshold`
  int64_t impostors = 0;
};
FarThreshold threshold_at_far(std::vector<double> impostor_distances, double target_far, const std::string& context);

// The threshold of highest accuracy (correct decisions / all pairs, a missed
// pair never correct). The accuracy is the same from one distinct distance up
// to (not including) the next, so the midpoint of that interval is returned;
// the smallest such interval wins ties. Throws Error for an empty set or one
// with no scored pair.
struct AccuracyAt {
  double accuracy = 0;
  double threshold = 0;
};
AccuracyAt best_accuracy(const std::vector<ScoredPair>& pairs);
// Accuracy of `pairs` at a fixed threshold (a missed pair is wrong).
double accuracy_at(const std::vector<ScoredPair>& pairs, double threshold);

// What a fixed threshold does on `pairs`, every pair counted: FAR and TAR
// with a missed pair rejected (as in the ROC), accuracy with it wrong (as
// accuracy_at). Throws Error as check_scored() does (`context` names the pairs).
struct OperatingPoint {
  double threshold = 0;
  double far = 0;
  double tar = 0;
  double accuracy = 0;
};
OperatingPoint operating_point(const std::vector<ScoredPair>& pairs, double threshold, const std::string& context);

// k-fold cross-validated accuracy (the LFW protocol with k = 10): for each
// fold, the best-accuracy threshold on the other k − 1 folds is applied to
// it. Pairs keep their own fold when every pair has one in [0, k); otherwise
// (CSV) each class is dealt round-robin — the i-th genuine pair to fold
// i mod k, the i-th impostor pair likewise — so every fold holds both classes
// in the input's proportion however the input is ordered. Reports the mean and the
// (population) standard deviation of the fold accuracies. Throws Error when
// there are fewer pairs than folds or a fold is empty.
struct CrossValidation {
  int folds = 0;
  double mean_accuracy = 0;
  double std_accuracy = 0;
  std::vector<double> fold_accuracy;
  std::vector<double> fold_threshold;
};
CrossValidation cross_validate(const std::vector<ScoredPair>& pairs, int folds = 10);

// Everything `facekit eval` reports about one set of scored pairs.
struct Report {
  int64_t genuine = 0;             // missed ones included
  int64_t impostors = 0;
  int64_t missed_genuine = 0;
  int64_t missed_impostors = 0;
  double auc = 0;
  Eer eer;
  std::vector<TarAtFar> tar_at_far;   // at 1e-2, 1e-3, 1e-4
  AccuracyAt best;
  CrossValidation cross_validation;
  Logistic logistic;                  // distance → P(same), fitted on the scored pairs (default when they lack a class)
  std::vector<RocPoint> roc;
};
// Throws Error as check_scored() does (`context` names the pairs' origin).
Report evaluate(const std::vector<ScoredPair>& pairs, const std::string& context, int folds = 10);

// The report as JSON; far targets are keyed "1e-2", "1e-3", "1e-4". The
// full ROC is included only when `with_roc` (it has one point per pair); an
// infinite threshold (the ROC's closing point with misses, or an EER reached
// only there) is written as null.
nlohmann::json report_to_json(const Report& report, bool with_roc);

// What `facekit calibrate` stores: the best-accuracy threshold, the
// thresholds at the measurable FAR targets, the logistic fit and the count.
Calibration calibration_from(const Report& report, const std::string& model, Metric metric,
                             const std::string& dataset);

// ---- Where pairs come from -------------------------------------------------

// Two images and whether they show the same person.
struct ImagePair {
  std::filesystem::path a, b;
  bool same = false;
  int fold = -1;
};

// LFW's pairs files: View 2's pairs.txt, a header "<folds> <n>" ("10 300"),
// or View 1's pairsDevTrain.txt / pairsDevTest.txt, just "<n>" (one fold);
// then per fold n same-person lines "name i j" and n different-person lines
// "name1 i name2 j" (fields separated by tabs or spaces). Image k of `name`
// is root/name/name_%04d.jpg. Folds are the file's sets, in order (0..folds-1)
// when there are several; a single fold gives fold -1 (no split of its own:
// cross_validate deals its pairs into k folds). Throws Error naming the file and line for a malformed or
// implausible (over 10⁹ pairs) header, a malformed line, a non-positive image
// number, lines out of the header's order (same before different in each
// fold), or a line count that disagrees with the header.
std::vector<ImagePair> read_lfw_pairs(const std::filesystem::path& file, const std::filesystem::path& root);

// A CSV of `a,b,same` (same: 1/0/true/false), optionally with a header line
// whose third field is not a label; fields may be "quoted" (with "" for a
// quote). Relative paths are taken from `root`. Blank lines are skipped.
// Throws Error naming the file and line for a wrong field count or label.
std::vector<ImagePair> read_csv_pairs(const std::filesystem::path& file, const std::filesystem::path& root);

// A folder per identity: root/<identity>/<image files> (has_image_extension;
// other files and nested folders are ignored, identities without images left
// out). Identities and their images are sorted by name. Throws Error naming
// `root` when it is not a folder or cannot be listed.
struct IdentityImages {
  std::string identity;  // the folder's name
  std::vector<std::filesystem::path> images;
};
std::vector<IdentityImages> scan_identity_folders(const std::filesystem::path& root);

// Sampling from a folder per identity (scan_identity_folders), so the pairs
// depend only on the folder's contents and the seed.
struct FolderSampling {
  int64_t pairs_per_class = 3000;   // at most; fewer when fewer exist
  uint32_t seed = 20240601;         // std::mt19937's seed
  int folds = 10;
};
// Draws min(pairs_per_class, genuine pairs that exist, impostor pairs that
// exist) distinct genuine pairs (two images of one identity) and as many
// distinct impostor pairs (images of two identities), uniformly, from
// std::mt19937(seed) with rejection-sampled indices (std::uniform_int_distribution
// differs between standard libraries; this does not). Genuine pair i and
// impostor pair i go to fold i mod folds; the result is ordered by fold.
// Throws Error naming the folder when it is missing, has fewer than two
// identities with images, or no identity with two images.
std::vector<ImagePair> sample_folder_pairs(const std::filesystem::path& root, const FolderSampling& options = {});

// ---- Scoring image pairs -----------------------------------------------------

// What a pipeline gives for one image: the embedding of its face and whether a
// detector found that face (false: the whole image stood in for it).
struct ImageEmbedding {
  std::vector<float> embedding;
  bool face_found = true;
};
// The embedding of an image's face, nullopt when it has none; may throw Error
// (an unreadable image).
using EmbedImage = std::function<std::optional<ImageEmbedding>(const std::filesystem::path&)>;

struct MissedImage {
  std::filesystem::path image;
  std::string reason;  // "IMAGE: no face found", or the Error's message (which names the image)
};
struct PairScores {
  std::vector<ScoredPair> pairs;                    // one per input pair, in order; misses at +inf
  std::vector<MissedImage> missed_images;           // images without an embedding, in first use
  std::vector<std::filesystem::path> whole_images;  // embedded whole (no face found: the fallback)
  int64_t whole_image_pairs = 0;                    // scored pairs with at least one of those
};
// Every pair's distance by `metric`, each distinct image embedded once by
// `embed`. A pair with an image that gives no embedding (nullopt, or an
// Error, whose message becomes the reason) is a miss. Throws Error only as
// distance() does (embeddings of different sizes).
PairScores score_pairs(const std::vector<ImagePair>& pairs, Metric metric, const EmbedImage& embed);

// Every pair counted, and the scored pairs alone; the latter is absent when
// the scored pairs lack a class. Throws Error as evaluate() does on all pairs.
struct PairEvaluation {
  Report all_pairs;
  std::optional<Report> scored_pairs;
};
PairEvaluation evaluate_pairs(const PairScores& scores, const std::string& context, int folds = 10);

// {"pairs": {"total", "scored", "missed", "whole_image"}, "missed_images":
// [{"image", "reason"}], "whole_images": [...], "all_pairs": report,
// "scored_pairs": report or null} (reports as report_to_json).
nlohmann::json pair_evaluation_to_json(const PairScores& scores, const PairEvaluation& evaluation, bool with_roc);

// ---- ROC plot ----------------------------------------------------------------

struct RocCurve {
  std::string label;
  std::vector<RocPoint> roc;
};
struct RocPlotOptions {
  bool log_far = true;   // FAR axis in decades, from the smallest non-zero FAR to 1
  int width = 800;
  int height = 600;
  std::string title = "ROC";
};
// Draws TAR against FAR for each curve (distinct colours, a legend) with
// OpenCV and writes the image (PNG by the extension). On a log axis FAR = 0
// points are drawn at the axis' left edge. Throws Error naming the file when
// it cannot be written, when there is no curve or a curve is empty, or when
// the size is outside 200 × 150 .. 10000 × 10000.
void write_roc_plot(const std::filesystem::path& file, const std::vector<RocCurve>& curves,
                    const RocPlotOptions& options = {});

}  // namespace facekit::eval
