// Face analysis: age, gender, emotion, race and liveness for detected faces,
// each estimated by the zoo's attribute models ("heads") and combined, with a
// confidence that rises when the models agree and the face is of good quality.
//
// Heads (head_ids() lists them; each runs its model on the preprocessing its
// own runtime uses, src/analyze/<head>.cc):
//   faceapi-age-gender   age (years), gender            face-api AgeGenderNet
//   faceapi-expression   emotion (7 classes)            face-api FaceExpressionNet
//   human-gear           age, gender, race (5 classes)  human GEAR
//   human-emotion        emotion (7 classes)            human (oarriaga) emotion
//   human-faceres        age, gender                    human HSE faceres
//   human-antispoof      spoof: P(real)                 human antispoof
//   human-liveness       spoof: liveness score          human liveness
//   antispoof-dtn        spoof: DTN spoof score         expo FaceAntiSpoofing.tflite
//   facekit-attributes   gender, race (5 classes)       facekit's own, on the MobileFaceNet
//                                                       embedding (models/facekit-attributes.onnx)
//
// Face crops (src/analyze/crop.cc): face-api heads get, for a face with 68
// landmarks, face-api's alignedRect (the landmarks' box grown by 20 %, as its
// chain .withFaceLandmarks().withAgeAndGender() cuts; Engine::analyze locates
// them with face-api's landmark net), else the detection box; clipped to the
// image, padded to a square with black, centred (face-api's
// extractFaceTensors + NetInput.toBatchTensor). human heads and the DTN get a
// square of side 1.4 × the box's longer side around its centre, black outside
// the image, resampled to 192×192 (human enlarges its BlazeFace box by 1.4,
// squares it and crops to the face-mesh input, 192). facekit-attributes gets
// the recognizer's crop, as `facekit represent` cuts it: the face aligned
// onto MobileFaceNet's template by the detector's 5 landmarks, or by
// faceapi-68's where the face has none.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"

namespace facekit {

// The attributes one can ask for.
enum class Action { kAge, kGender, kEmotion, kRace, kSpoof };

// "age" | "gender" | "emotion" | "race" | "spoof".
const char* action_name(Action action);
// Parses a comma-separated list of those names; throws Error naming an
// unknown one or an empty list.
std::vector<Action> parse_actions(const std::string& list);

// The canonical emotion classes; every emotion distribution uses this order.
inline constexpr std::array<const char*, 7> kEmotionNames = {"angry", "disgust", "fear",    "happy",
                                                             "sad",   "surprise", "neutral"};
using EmotionDistribution = std::array<float, 7>;

// One estimate of a scalar with its spread.
struct AgeEstimate {
  float years = 0;
  float uncertainty = 0;  // years: one standard deviation
};

// What a single head said about a face (its interpreted outputs).
struct HeadAnalysis {
  std::string head;                             // head id, e.g. "human-gear"
  std::optional<AgeEstimate> age;               // uncertainty 0 when the model gives none
  std::optional<float> male_probability;
  std::optional<EmotionDistribution> emotion;
  std::vector<std::pair<std::string, float>> race;  // the model's classes, its order
  std::optional<float> real_probability;        // human-antispoof: P(real face)
  std::optional<float> liveness;                // human-liveness: its score, higher = live
  std::optional<float> spoof_score;             // antispoof-dtn: Σ|cls|·mask, higher = spoof
};

struct FaceAnalysis {
  // Empty when the face was analysed; otherwise why not (a face too small,
  // or nothing of it inside the image) and every field below stays unset.
  std::string refused;
  // Age, gender, emotion and race: the heads pooled with the fitted weights
  // of default_combination() (analysis_combination.h).
  std::optional<AgeEstimate> age;           // the uncertainty σ: the truth lies within
                                            // years ± σ for 68 % of faces like the fitting ones
  std::optional<std::string> gender;        // "male" | "female"
  float gender_probability = 0;             // of the gender given, calibrated
  std::optional<EmotionDistribution> emotion;  // calibrated distribution
  std::vector<std::pair<std::string, float>> race;  // white, black, asian, indian, other
  std::optional<float> real_probability;    // mean of human-antispoof's P(real) and
                                            // human-liveness' score; the DTN's uncalibrated
                                            // score stays in `heads`
  // Per attribute, 1 − the heads' normalised disagreement in [0, 1]; only for
  // attributes two or more heads estimated.
  std::map<std::string, float> agreement;
  // Analysis confidence in [0, 1]: mean agreement (1 when nothing to compare)
  // × face quality (Face::quality.overall, raised to 1/4 so that one weak
  // measure does not dominate) × the part of the crop inside the image ×
  // 0.75 for a grey image (colour-trained heads see no colour).
  float confidence = 0;
  bool grayscale = false;                   // the image has no colour
  std::vector<HeadAnalysis> heads;          // each head's own view
};

struct AnalyzeOptions {
  std::vector<Action> actions = {Action::kAge, Action::kGender, Action::kEmotion, Action::kRace, Action::kSpoof};
  std::string executor = "fast";  // "fast" | "reference"
  int threads = 1;                // 0 = all cores
  float min_face = 16;            // faces whose box's shorter side is smaller are refused, pixels
};

class Analyzer {
 public:
  // Loads the heads the actions need (from the zoo: throws Error naming the
  // model and the install command when one is missing).
  explicit Analyzer(AnalyzeOptions options = {});
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Analyses `faces` of an 8-bit RGB image (CV_8UC3), one result per face in
  // order; each head runs once over all faces (a batch). Faces need `box`
  // and `quality` (as detect() fills them; a quality of 0 gives confidence
  // 0). Throws Error for an empty image or another pixel format; a bad face
  // yields a refusal, not an exception. One call at a time per Analyzer.
  std::vector<FaceAnalysis> analyze(const cv::Mat& rgb, const std::vector<Face>& faces);

  // The ids of the heads loaded, in registry order.
  std::vector<std::string> heads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// All head ids, in registry order.
std::vector<std::string> head_ids();

}  // namespace facekit
