// OnnxExporter: writes an IR graph as an ONNX (opset 13) GraphProto.
//
// IR and ONNX agree on most operators (the IR follows ONNX), so most nodes
// become one ONNX node. The differences are bridged here: NHWC spatial ops
// are wrapped in transposes, filters go back to OIHW, Dense becomes Gemm or
// MatMul + Add, fused activations become nodes of their own, and IR int32
// (shapes, indices) is written as ONNX int64.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "facekit/nn/graph.h"

namespace facekit::nn::onnx_io {

class OnnxExporter {
 public:
  OnnxExporter(const Graph& graph, onnx::GraphProto* out);
  // Fills the GraphProto; throws Error for an operator ONNX cannot express.
  void run();

 private:
  // ONNX name of value `id`; constants become initializers on first use.
  std::string use(int id);
  std::string fresh(const std::string& base);
  std::string add_initializer(const Tensor& t, const std::string& base);
  std::string int64s(const std::vector<int64_t>& v, const std::string& base);
  onnx::NodeProto* add(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs);
  void export_node(const Node& node);
  // Emits `op` in NCHW: transposes around it when the IR node is NHWC.
  // `extra` are the op's inputs after X; returns the output in IR layout.
  std::string spatial(const Node& node, const std::string& op, const std::vector<std::string>& extra,
                      const std::string& out, bool has_activation, onnx::NodeProto** made);
  // Applies the node's fused activation to `x` (in IR layout), writing `out`.
  void activation(const Node& node, const std::string& x, const std::string& out, int slope_input, bool channels_first);
  [[noreturn]] void fail(const Node& node, const std::string& reason) const;

  const Graph& g_;
  onnx::GraphProto* out_;
  std::vector<std::string> names_;
  std::vector<char> emitted_;  // per value: constant written as initializer
  std::set<std::string> taken_;
  int counter_ = 0;
};

}  // namespace facekit::nn::onnx_io
