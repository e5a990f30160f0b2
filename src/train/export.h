// A trained embedding network as a recognizer of facekit's runtime.
#pragma once

#include <string>

#include "facekit/embed.h"
#include "train/backbone.h"

namespace facekit::train {

// The card of a network trained with facekit's preprocessing: RGB pixels
// 0..255 as (x − 127.5) / 128, NCHW, the net's square input, output
// "embedding", cosine metric, the ArcFace alignment template.
RecognizerCard training_card(const EmbeddingNet& net, const std::string& name);

// Writes `net` as an ONNX model (input "images", N×C×S×S, NCHW; output
// "embedding") with `card` (normalisation, colour order, metric, thresholds;
// its input size, layout and output are set from the network) stored as JSON
// (card_json) in the model's metadata under kRecognizerCardKey, so that
// make_recognizer(path) and `facekit verify --model PATH` use it as it was
// trained. Throws Error naming the file when it cannot be written.
void export_recognizer(const EmbeddingNet& net, const RecognizerCard& card, const std::string& path);

}  // namespace facekit::train
