// Evaluation of face attributes (age, gender, race, emotion) on labelled
// faces: what `facekit eval --attributes` reports.
//
// Every labelled face counts. A face the pipeline could not analyse (an
// unreadable or missing image, no face found, a refused face) is a *miss*:
//   - in accuracy and balanced accuracy it is wrong (its own column of the
//     confusion matrix, "missed");
//   - in the share of ages within ±5 years it is outside;
//   - the mean absolute age error, its bias and the calibration (which need
//     an estimate) are over the faces found, reported beside found/total.
// A source (the combination, or one head) that analysed the face but gave no
// estimate of the attribute counts that face as a miss too.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "facekit/analysis_combination.h"
#include "facekit/analyze.h"
#include "facekit/eval.h"

namespace facekit::eval {

// The label classes. Emotions are kEmotionNames (analyze.h), in that order.
inline constexpr std::array<const char*, 2> kGenderNames = {"male", "female"};
inline constexpr std::array<const char*, 5> kRaceNames = {"white", "black", "asian", "indian", "other"};
inline constexpr int kMaxLabelledAge = 130;

enum class Attribute { kAge, kGender, kRace, kEmotion };
// "age" | "gender" | "race" | "emotion".
const char* attribute_name(Attribute attribute);

// ---- Labels ------------------------------------------------------------------

// One labelled face; a label left empty in the CSV is unknown (nullopt).
struct LabelledFace {
  std::filesystem::path image;
  std::optional<int> age;      // years, 0..kMaxLabelledAge
  std::optional<int> gender;   // index into kGenderNames
  std::optional<int> race;     // index into kRaceNames
  std::optional<int> emotion;  // index into kEmotionNames
};

// A CSV whose first line names its columns: `file` (the image, relative to
// `root` unless absolute) and one or more of `age`, `gender`, `race`,
// `emotion`, in any order (the form of ../shared/data/attributes/*/labels.csv).
// Fields may be "quoted" ("" for a quote); blank lines are skipped; an empty
// field is an unknown label. Class names are matched without regard to case.
// Image files are not opened here: a missing one becomes a miss when scored.
// Throws Error naming the file (and line) for: no header, a header without
// `file` or without any label column, an unknown or repeated column, a row
// with another field count, an empty `file`, an age that is not an integer
// in 0..kMaxLabelledAge, a class name that is not one of its attribute's, or
// no row at all.
std::vector<LabelledFace> read_attribute_labels(const std::filesystem::path& file, const std::filesystem::path& root);

// The attributes some face of `faces` is labelled with, in Attribute order.
std::vector<Attribute> labelled_attributes(const std::vector<LabelledFace>& faces);

// ---- What the pipeline said ----------------------------------------------------

// The name of the combined estimate among the sources.
inline constexpr const char* kCombinedSource = "combined";

// One source's estimates for one face.
struct AttributeEstimate {
  std::optional<float> age;                   // years
  float age_uncertainty = 0;                  // one standard deviation, years; 0: none given
  std::optional<float> male_probability;
  std::optional<std::array<float, 5>> race;   // kRaceNames order
  std::optional<EmotionDistribution> emotion;
};

// What the pipeline made of one labelled image.
struct FaceOutcome {
  std::string missed;  // empty when a face was analysed; else why not
  // kCombinedSource (the analyzer's combined answer) and each head's id.
  std::map<std::string, AttributeEstimate> sources;
};

// The outcome for the labelled face among `faces` and their `analyses` (one
// per face, as Analyzer::analyze gives them): the largest face that was not
// refused; a miss ("no face found", or the refusal) when there is none. A
// race class that is not in kRaceNames is left out of that distribution.
// Throws Error when the two lists differ in length.
FaceOutcome outcome_of(const std::vector<Face>& faces, const std::vector<FaceAnalysis>& analyses);

// Analyses one image; may throw Error (an unreadable or missing image), which
// makes the face a miss with the Error's message as the reason.
using AnalyzeLabelled = std::function<FaceOutcome(const std::filesystem::path& image)>;

// One outcome per face, in order, each image analysed once by `analyze`.
// `progress` (may be empty) gets (done, total, image) after each face.
std::vector<FaceOutcome> analyze_labelled_faces(
    const std::vector<LabelledFace>& faces, const AnalyzeLabelled& analyze,
    const std::function<void(size_t done, size_t total, const std::filesystem::path& image)>& progress = {});

// The outcomes of `faces` from saved analyses instead of running the heads:
// a file of `facekit analyze --json` lines (one per image; images matched by
// their canonical path), each face's heads' views recombined with
// `combination` for `actions` (so a refitted combination is measured without
// rerunning the heads). An image the file lacks is a miss. Throws Error
// naming the file and line for an unreadable file or a line that is not
// analyze's JSON.
std::vector<FaceOutcome> outcomes_from_analyses(const std::vector<LabelledFace>& faces,
                                                const std::filesystem::path& analyses,
                                                const std::vector<Action>& actions,
                                                const AnalysisCombination& combination = default_combination());

// ---- Metrics -------------------------------------------------------------------

// Calibration of the probability given to the predicted class: faces are
// binned by that probability into `bins` equal bins of [0, 1] (1 falls into
// the last); per bin the mean probability and the share correct. The expected
// calibration error is Σ_b (n_b / n) |accuracy_b − confidence_b| (0 for no
// faces).
struct ReliabilityBin {
  double lower = 0, upper = 0;
  int64_t count = 0;
  double confidence = 0;  // mean predicted probability (0 when empty)
  double accuracy = 0;    // share correct (0 when empty)
};
struct Reliability {
  int64_t count = 0;
  double ece = 0;
  std::vector<ReliabilityBin> bins;
};
struct ConfidentAnswer {
  double confidence = 0;  // in [0, 1]
  bool correct = false;
};
// Throws Error for bins < 1 or a confidence outside [0, 1] (or NaN).
Reliability reliability(const std::vector<ConfidentAnswer>& answers, int bins = 10);

// A classification attribute over a set of faces.
struct ClassSample {
  int truth = 0;                                   // class index
  std::optional<std::vector<float>> probabilities;  // per class; nullopt: a miss
};
struct ClassScores {
  std::vector<std::string> classes;
  int64_t total = 0, found = 0;
  // [truth][predicted] with one more column, the last, for misses. The
  // prediction is the most probable class (the first of equals).
  std::vector<std::vector<int64_t>> confusion;
  double accuracy = 0;           // correct / total
  std::vector<double> recall;    // per class: correct / its faces; NaN without faces
  double balanced_accuracy = 0;  // mean recall over the classes with faces
  Reliability reliability;       // of the predicted class' probability, faces found
};
// Throws Error for an empty set, a truth outside the classes, or a
// probability vector of another length.
ClassScores class_scores(const std::vector<std::string>& classes, const std::vector<ClassSample>& samples);

struct AgeSample {
  int truth = 0;
  std::optional<float> years;  // nullopt: a miss
  float uncertainty = 0;       // σ; 0: none given
};
struct AgeScores {
  int64_t total = 0, found = 0;
  double mae = 0;        // mean |estimate − truth| over faces found; NaN when none
  double bias = 0;       // mean (estimate − truth) over faces found; NaN when none
  double within_5 = 0;   // share of all faces with |estimate − truth| ≤ 5
  // Over the faces found with an uncertainty: the share whose truth lies
  // within ± one σ (a Gaussian's 68.3 % when σ is right); NaN when none.
  int64_t with_interval = 0;
  double interval_coverage = 0;
};
// Throws Error for an empty set.
AgeScores age_scores(const std::vector<AgeSample>& samples);

// ---- The report ------------------------------------------------------------------

using AttributeScores = std::variant<ClassScores, AgeScores>;

// The groups of faces by their other labels. A face lacking the label(s) of
// a grouping is in none of its groups.
enum class Grouping { kRace, kGender, kRaceGender, kAgeBand };
// "race" | "gender" | "race_gender" | "age_band".
const char* grouping_name(Grouping grouping);
// The age band of `years`: "0-2", "3-12", "13-19", "20-29", ..., "60-69", "70+".
std::string age_band(int years);

// Groups with fewer faces are listed but left out of the gap.
inline constexpr int64_t kMinGroupFaces = 20;

struct Breakdown {
  Grouping by = Grouping::kRace;
  std::vector<std::pair<std::string, AttributeScores>> groups;  // groups with faces, in label order
  // Best minus worst group (accuracy, or mean absolute error for age, both
  // positive) over the groups of kMinGroupFaces or more; absent with fewer
  // than two such groups.
  std::optional<double> gap;
  std::string best, worst;
};

struct SourceScores {
  std::string source;  // kCombinedSource or a head id
  AttributeScores overall;
  std::vector<Breakdown> breakdowns;  // by each grouping present in the labels, except the attribute's own
};

struct AttributeEvaluation {
  Attribute attribute = Attribute::kAge;
  int64_t labelled = 0;               // faces with this label
  std::vector<SourceScores> sources;  // the combination first, then the heads by id
};

struct AttributeReport {
  int64_t total = 0, found = 0;
  std::vector<MissedImage> missed;  // in label order
  std::vector<AttributeEvaluation> attributes;  // those labelled, in Attribute order
};

// Scores every labelled attribute for every source that estimated it on some
// face. Throws Error when the two lists differ in length or no face is
// labelled.
AttributeReport evaluate_attributes(const std::vector<LabelledFace>& faces, const std::vector<FaceOutcome>& outcomes);

// A readable report: per attribute a table of the sources, the combination's
// breakdowns (with their gaps) and, for classes, its confusion matrix.
std::string attribute_report_text(const AttributeReport& report);

// The reliability diagram: accuracy against confidence per bin, one curve per
// (label, reliability), the diagonal for reference, with OpenCV (PNG by the
// extension). Throws Error naming the file when it cannot be written or when
// `curves` is empty.
struct ReliabilityCurve {
  std::string label;
  Reliability reliability;
};
void write_reliability_plot(const std::filesystem::path& file, const std::vector<ReliabilityCurve>& curves,
                            const std::string& title);

}  // namespace facekit::eval
