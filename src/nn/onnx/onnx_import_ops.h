// The mappings of individual ONNX operators onto IR nodes, grouped by kind.
// Each reads one ONNX node and emits IR nodes through the importer.
#pragma once

#include <string>

#include "nn/onnx/onnx_importer.h"

namespace facekit::nn::onnx_io {

// Whether the importer maps ONNX operator `op_type` (domain ai.onnx).
bool onnx_op_supported(const std::string& op_type);

// Spatial and layer operators (onnx_import_layers.cc).
void map_conv(OnnxImporter& im, const onnx::NodeProto& n);
void map_pool(OnnxImporter& im, const onnx::NodeProto& n, const std::string& ir_op);
void map_global_pool(OnnxImporter& im, const onnx::NodeProto& n, const std::string& reduce_op);
void map_gemm(OnnxImporter& im, const onnx::NodeProto& n);
void map_batchnorm(OnnxImporter& im, const onnx::NodeProto& n);
void map_resize(OnnxImporter& im, const onnx::NodeProto& n);
void map_upsample(OnnxImporter& im, const onnx::NodeProto& n);
void map_depth_to_space(OnnxImporter& im, const onnx::NodeProto& n);

}  // namespace facekit::nn::onnx_io
