// A trained embedding network as a recognizer of facekit's runtime.
#pragma once

#include <string>

#include "facekit/embed.h"
#include "train/backbone.h"

namespace facekit::train {

// Writes `net` as an ONNX model (input "images", N×C×S×S, NCHW; output
// "embedding") with `card` (input size, normalisation, colour order, layout,
// metric, thresholds) stored in the model's metadata, so that
// make_recognizer(path) and `facekit verify --model PATH` use it as it was
// trained. Throws Error naming the file when it cannot be written.
void export_recognizer(const EmbeddingNet& net, const RecognizerCard& card, const std::string& path);

}  // namespace facekit::train
