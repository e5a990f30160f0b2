// Loading models from files into the graph IR, and writing them as ONNX.
#pragma once

#include <map>
#include <string>

#include "facekit/nn/graph.h"

namespace facekit::nn {

// Reads a model, choosing the loader by content and extension:
//   *.tflite                         TFLite flatbuffer
//   *.json with "modelTopology"      TensorFlow.js graph model (+ .bin shards)
//   *-weights_manifest.json          face-api weight set (architecture in code,
//                                    chosen from the file name)
//   *.onnx                           ONNX
// The result is finalized and constant-folded. Throws Error naming the file
// and the reason for anything missing, truncated, malformed or unsupported.
Graph load_model(const std::string& path);

// load_model of zoo model `id`'s entry file, verified first (zoo::require:
// an Error naming the model and `facekit models install ID` when missing).
Graph load_zoo_model(const std::string& id);

Graph load_tflite(const std::string& path);
Graph load_tfjs_graph(const std::string& model_json_path);
Graph load_faceapi(const std::string& manifest_path);
Graph load_onnx(const std::string& path);
// load_onnx that also fills `metadata` with the model's metadata_props
// (key → value; a key given twice keeps its last value).
Graph load_onnx(const std::string& path, std::map<std::string, std::string>& metadata);

// The same loaders over bytes in memory (the fuzz targets' entry points).
// `name` is used in error messages only.
Graph load_tflite_bytes(const std::string& name, const void* data, size_t size);
Graph load_onnx_bytes(const std::string& name, const void* data, size_t size);

// Writes `graph` as an ONNX model (opset 13). NHWC operators are wrapped in
// transposes. Throws Error for operators ONNX cannot express.
void export_onnx(const Graph& graph, const std::string& path);

}  // namespace facekit::nn
