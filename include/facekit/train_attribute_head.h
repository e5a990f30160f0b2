// facekit's own attribute head (docs/analysis.md, "facekit's own head"):
// a small classifier trained on a frozen recognizer's embeddings, exported
// as ONNX with a card, which the analyzer runs as the head
// "facekit-attributes" (analyze.h).
//
// Data: the faces' raw embeddings as `facekit represent --no-detect --json`
// writes them (one JSON line per image: {"image": PATH, "faces":
// [{"embedding": [...]}, ...]}, the first face taken), joined by image path
// to a labels CSV of `facekit eval --attributes` (attribute_eval.h's
// read_attribute_labels: `file` relative to `root`, columns gender, race,
// emotion). Embedding the faces once, outside training, is what makes
// training seconds long: the recognizer stays frozen.
//
// The network: x / ‖x‖ (the embedding L2-normalised), a hidden layer of
// `hidden` units with ReLU (0: none, a linear head), then per attribute a
// linear layer and a softmax over that attribute's classes (attribute_eval.h's
// kGenderNames, kRaceNames; analyze.h's kEmotionNames). Trained full-batch
// with AdamW on the sum of the attributes' cross-entropies (faces without a
// label of an attribute do not count in its loss), dropout before each
// linear layer; the same options, data and thread count give the same file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace facekit::train {

struct AttributeHeadOptions {
  std::string embeddings;                 // JSON lines of `facekit represent --json`
  std::string labels;                     // labels CSV (attribute_eval.h's form)
  std::string root;                       // the folder `file` is relative to
  std::vector<std::string> attributes;    // gender | race | emotion, at least one
  std::string recognizer = "mobilefacenet";  // the recognizer that wrote the embeddings (for the card)
  std::string data;                       // the card's data and licence, free text
  int hidden = 256;                       // 0: a linear head
  float dropout = 0.3f;                   // in [0, 1)
  int epochs = 400;                       // full-batch steps
  double lr = 3e-3;
  double weight_decay = 1e-2;
  float focal_gamma = 0.f;                // 0: cross-entropy; > 0: focal loss (rare classes)
  uint64_t seed = 1;
  int holdout_every = 0;                  // > 0: every n-th face (n−1, 2n−1, …) is held out and scored,
                                          // not trained on: for choosing these options without dev data
  int threads = 1;                        // libtorch intra-op threads
  std::string out;                        // the ONNX file to write; empty: none
};

struct AttributeHeadResult {
  int train_faces = 0, holdout_faces = 0;
  int dimension = 0;                                 // embedding length
  std::map<std::string, double> train_accuracy;      // per attribute, on the faces trained on
  std::map<std::string, double> holdout_accuracy;    // with holdout_every, per attribute
  std::map<std::string, double> holdout_balanced;    // with holdout_every: mean recall over classes
};

// The ONNX metadata key of the head's card: JSON {"head", "recognizer",
// "input": "raw embedding", "dimension", "attributes": {NAME: [classes]},
// "data", "seed"}.
inline constexpr char kAttributeHeadCardKey[] = "facekit.attribute_head";

// Trains as the options say and writes options.out. Throws Error naming the
// option or file for: no attribute, an unknown or repeated one, options out
// of range, an unreadable or malformed embeddings file (bad JSON, no face,
// embeddings of different lengths or not finite), a labelled image without
// an embedding, an attribute no face is labelled with, or a file that cannot
// be written.
AttributeHeadResult train_attribute_head(const AttributeHeadOptions& options);

}  // namespace facekit::train
