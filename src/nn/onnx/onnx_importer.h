// OnnxImporter: turns one ONNX GraphProto into the IR, node by node.
//
// Each ONNX operator maps onto one or a few IR nodes (onnx_import_ops.cc).
// Shapes and dtypes are inferred as nodes are added, and nodes whose inputs
// are all constant are evaluated at once, so that mappings which need a
// static fact (a rank, a constant axes input, BatchNormalization's statistics)
// can ask for it while the graph is being built.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "facekit/nn/graph.h"

namespace facekit::nn::onnx_io {

class OnnxImporter {
 public:
  // `source` names the file in every error message.
  OnnxImporter(std::string source, int64_t opset);

  // Reads initializers, inputs, nodes and outputs of `graph` into graph().
  void import(const onnx::GraphProto& graph);
  Graph& graph() { return g_; }

  // --- used by the operator mappings ---------------------------------------
  int64_t opset() const { return opset_; }
  // Error context for the node being mapped: "<file>: node 'n' (Op)".
  std::string where(const onnx::NodeProto& node) const;
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& reason) const;

  // Value id of input `k`; -1 when absent or given as "" (omitted optional).
  int input(const onnx::NodeProto& node, int k) const;
  // Input `k`, required.
  int need(const onnx::NodeProto& node, int k) const;
  // The constant tensor of value `id`, or nullptr when it is computed at run time.
  const Tensor* constant(int id) const;
  // Whether input `k` is absent or a constant (an out-of-int32-range int64
  // constant counts: const_ints reads it exactly).
  bool constant_or_absent(const onnx::NodeProto& node, int k) const;
  // Exact integer values of constant input `k` (fails when not constant).
  std::vector<int64_t> const_ints(const onnx::NodeProto& node, int k) const;
  // Float values of constant input `k` (fails when not constant).
  std::vector<float> const_floats(const onnx::NodeProto& node, int k) const;
  // Name of the node's output `k`; fails when missing.
  const std::string& output_name(const onnx::NodeProto& node, int k) const;
  // Value id of ONNX value `name`; fails when undefined.
  int value_id(const onnx::NodeProto& node, const std::string& name) const;
  const Shape& shape(int id) const { return g_.values[id].shape; }

  // Adds IR node `op`; its single output becomes ONNX value `out_name`, or a
  // fresh temporary when `out_name` is empty. Evaluates it at once when all
  // inputs are constant. Returns the output's value id.
  int emit(const onnx::NodeProto& node, const std::string& op, std::vector<int> inputs,
           Attributes attrs = {}, const std::string& out_name = {});
  // emit() into the node's output `k`.
  int emit_out(const onnx::NodeProto& node, const std::string& op, std::vector<int> inputs,
               Attributes attrs = {}, int k = 0);
  int add_constant(const onnx::NodeProto& node, Tensor t, const std::string& out_name = {});
  // Defines ONNX value `name` as the constant `t` (an initializer or a
  // Constant node's value); int64 values keep their exact form for const_ints.
  int define_constant(const std::string& name, const onnx::TensorProto& t, const std::string& context);

 private:
  void add_input(const onnx::ValueInfoProto& vi);
  void map_node(const onnx::NodeProto& node);
  void bind(const std::string& name, int id);
  std::string temp_name(const onnx::NodeProto& node);

  std::string source_;
  int64_t opset_;
  Graph g_;
  std::map<std::string, int> ids_;                       // ONNX value name -> value id
  std::map<int, std::vector<int64_t>> exact_ints_;       // int64 initializers, unnarrowed
  std::set<int> out_of_range_;                           // int64 constants that do not fit int32
  int temp_counter_ = 0;
};

// Maps one ONNX node (any operator) into the importer's graph; throws Error
// for an operator or attribute the IR cannot express.
void map_onnx_node(OnnxImporter& im, const onnx::NodeProto& node);

}  // namespace facekit::nn::onnx_io
