// Recognition: an aligned face crop in, an embedding out.
//
// Recognizers are chosen by name (recognizer_names() lists them):
//   mobilefacenet        expo MobileFaceNet.tflite, 112×112, 192-D (default). The
//                        file takes pairs (batch 2): a lone crop is run with
//                        its copy as the partner, whose result is dropped
//   faceapi              face-api's ResNet descriptor (dlib), 150×150, 128-D
//   faceres              human's faceres (HSE FaceRec) descriptor, 224×224, 1024-D
//   mobileface           human's mobileface, 112×112, 256-D
//   human-mobilefacenet  human's mobilefacenet, 112×112, 192-D (in-graph L2
//                        normalisation; not an exact twin of the TFLite file)
// and, for ONNX models a user brings (ArcFace, SFace, FaceNet exports),
// make_onnx_recognizer() driven by a RecognizerCard; a model trained with
// facekit-train carries its card and is named by its path ("my.onnx").
//
// One rule for every recognizer: embed() returns the network's RAW output,
// exactly what the model's own runtime returns. Whether that is already unit
// length is recorded in the card (l2_normalized); match.h's l2_normalize and
// distance() do the rest.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "facekit/align.h"

namespace facekit {

// Channel order a network expects its pixels in.
enum class ColorOrder { kRGB, kBGR };
// Tensor layout of a network's input.
enum class InputLayout { kNHWC, kNCHW };

// What a recognizer network takes and gives, and how its embeddings are
// compared. The zoo recognizers fill it from models/manifest.json.
struct RecognizerCard {
  std::string name;                 // recognizer name, for messages and reports
  std::string model;                // zoo model id, or the file a user model came from
  cv::Size input_size{112, 112};    // network input (width × height)
  // Input normalisation on 0..255 pixels: (x − mean) / std, one value for all
  // channels or one per channel (in the network's colour order).
  std::vector<float> mean{0.f};
  std::vector<float> std{1.f};
  ColorOrder color = ColorOrder::kRGB;
  InputLayout layout = InputLayout::kNHWC;
  std::string output;               // graph value holding the embedding; empty: the first output
  bool l2_normalized = false;       // the raw output is already unit length (normalised in the graph)
  // Default metric ("cosine" | "euclidean" | "euclidean_l2", see match.h) and
  // decision thresholds per metric, where a source gives them (the model
  // card's "thresholds"; `facekit calibrate` adds the others).
  std::string metric = "cosine";
  std::map<std::string, double> thresholds;
  // The crop the network is fed by default. Empty points (kind kSimilarity):
  // the ArcFace template scaled to input_size (which must then be square).
  // Zoo cards name theirs in models/manifest.json ("alignment": a
  // named_template name, align.h): `faceapi` is fed face-api's own crop
  // ("faceapi"; chosen on LFW, docs/recognition.md), with dlib's chip, the
  // one its network was trained on, as "dlib".
  AlignTemplate alignment;
  // Flip test-time augmentation by default (RecognizerOptions::flip): a zoo
  // card's "flip", set where it was measured to help on LFW View 1 DevTrain
  // (docs/recognition.md). A running recognizer's card holds the flip it uses.
  bool flip = false;
};

// The card as JSON: {name, model, input: {size, mean, std, color, layout},
// output, dimension, l2_normalized, metric, thresholds, flip, alignment:
// {name, size, kind ("similarity" | "faceapi"), points}}.
nlohmann::json card_json(const RecognizerCard& card, int dimension);
// The card back from card_json's form (its "dimension" is not part of the
// card and is ignored); fields left out keep RecognizerCard's defaults.
// Throws Error naming `source` for malformed JSON: wrong types, a size that is
// not two positive integers, a colour, layout or alignment kind other than
// those above.
RecognizerCard card_from_json(const nlohmann::json& json, const std::string& source);

// The ONNX metadata key under which a model carries its card (card_json's
// form, as written by facekit-train's export): make_recognizer takes such a
// file by its path.
inline constexpr char kRecognizerCardKey[] = "facekit.recognizer_card";

struct RecognizerOptions {
  std::string executor = "fast";   // "fast" | "reference"
  int threads = 1;                 // 0 = all cores
  // Flip test-time augmentation: the embedding is the element-wise mean of the
  // raw embeddings of the crop and of its horizontal mirror (the mean, not the
  // sum, keeps the raw scale that Euclidean thresholds were set on).
  // nullopt: the card's own (RecognizerCard::flip).
  std::optional<bool> flip = {};
  // The crop to feed instead of the card's: a named_template name (align.h:
  // "arcface", "dlib", "faceapi", "expo"), made at the network's (square) input size.
  // Empty: the card's. An unknown name or a non-square input throws Error.
  std::string alignment = {};  // "= {}": designated lists may leave it out without -Wextra warnings
};

class Recognizer {
 public:
  virtual ~Recognizer() = default;
  // The raw embedding of one aligned crop: 8-bit RGB (CV_8UC3), ideally of
  // alignment().size; any other size is resized to the network input
  // (INTER_AREA when shrinking, INTER_LINEAR when enlarging). Throws Error
  // naming the recognizer for an empty crop, another pixel type, or an output
  // holding NaN or infinity.
  virtual std::vector<float> embed(const cv::Mat& aligned_rgb) = 0;
  // The same for several crops, in order (run in batches of the network's
  // batch size). An empty list gives an empty result.
  virtual std::vector<std::vector<float>> embed(const std::vector<cv::Mat>& aligned_rgb) = 0;
  // The crop this recognizer wants (pass it to align_face).
  virtual const AlignTemplate& alignment() const = 0;
  // Length of the embedding.
  virtual int dimension() const = 0;
  virtual std::string name() const = 0;
  virtual const RecognizerCard& card() const = 0;
};

// The recognizer named `name` with its model loaded from the zoo (throws
// Error naming the model and the install command when it is missing). Throws
// Error listing the known names for an unknown one. A name ending in ".onnx"
// is the path of an ONNX model carrying its card in its metadata (key
// kRecognizerCardKey, as facekit-train exports write it), run as
// make_onnx_recognizer(path, card) would, except that a card naming no
// model takes the file's stem as its model id (the name its calibrations are
// stored under); Error naming the file when the card is missing or malformed.
std::unique_ptr<Recognizer> make_recognizer(const std::string& name = "mobilefacenet",
                                            const RecognizerOptions& options = {});
std::vector<std::string> recognizer_names();

// A recognizer over a user's ONNX model described by `card` (card.name
// defaults to the file's stem, card.model to its path). The input is taken
// with batch 1 unless its batch dimension is free. Throws Error naming the
// file when it cannot be loaded, when card.output is not a value of the graph,
// or when the card contradicts the graph's input (size, channels, layout).
std::unique_ptr<Recognizer> make_onnx_recognizer(const std::string& path, RecognizerCard card,
                                                 const RecognizerOptions& options = {});

}  // namespace facekit
