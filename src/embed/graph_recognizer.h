// The one Recognizer implementation: a loaded graph, its card and an
// executor. The zoo recognizers and user ONNX models differ only in where the
// graph and the card come from.
#pragma once

#include <memory>

#include "facekit/embed.h"
#include "facekit/nn/graph.h"

namespace facekit {

// Takes `graph` (outputs narrowed to card.output, else to its first output)
// and checks `card` against its single input. Throws Error naming the
// recognizer for a graph with other than one input, an input that is not a
// 4-D image of card.input_size with 3 channels in card.layout, an unknown
// card.output, a non-square input without an explicit alignment template, or
// mean/std lists of a length other than 1 or 3.
std::unique_ptr<Recognizer> make_graph_recognizer(nn::Graph graph, RecognizerCard card,
                                                  const RecognizerOptions& options);

// A zoo recognizer: the graph of zoo model `model_id`, its card's input
// (shape, mean, std, color, layout), default metric ("metric", else cosine)
// and thresholds ("thresholds": {metric: {"threshold": t}}) from
// models/manifest.json, the embedding read from value `output`.
std::unique_ptr<Recognizer> make_zoo_recognizer(const std::string& name, const std::string& model_id,
                                                const std::string& output, bool l2_normalized,
                                                const RecognizerOptions& options);

// The recognizer of an ONNX file carrying its card in its metadata (key
// kRecognizerCardKey). Throws Error naming the file when it cannot be loaded,
// holds no card, or its card is malformed or contradicts the graph.
std::unique_ptr<Recognizer> make_carded_onnx_recognizer(const std::string& path, const RecognizerOptions& options);

}  // namespace facekit
