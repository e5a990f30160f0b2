// The graph IR: every loader (TFLite, TensorFlow.js, face-api weights, ONNX)
// produces a Graph, and every executor and the ONNX exporter consumes one.
//
// A Graph is a list of Values (tensors: graph inputs, constants, node
// outputs) and a list of Nodes in topological order. Operators and their
// attributes are documented in src/nn/ops/README.md; their semantics follow
// ONNX where ONNX has the operator, with two deliberate differences: spatial
// operators carry a "layout" attribute (NHWC — the zoo's native layout — or
// NCHW), and convolution filters are always stored O×KH×KW×(I/group).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "facekit/nn/tensor.h"

namespace facekit::nn {

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

// Named operator attributes with typed, defaulted getters. A getter throws
// Error when the attribute exists with another type.
class Attributes {
 public:
  void set(const std::string& key, AttrValue v) { map_[key] = std::move(v); }
  bool has(const std::string& key) const { return map_.count(key) != 0; }
  int64_t i(const std::string& key, int64_t def) const;
  int64_t i(const std::string& key) const;  // required
  double f(const std::string& key, double def) const;
  std::string s(const std::string& key, const std::string& def) const;
  std::vector<int64_t> ints(const std::string& key, std::vector<int64_t> def = {}) const;
  std::vector<double> floats(const std::string& key, std::vector<double> def = {}) const;
  const std::map<std::string, AttrValue>& all() const { return map_; }

 private:
  std::map<std::string, AttrValue> map_;
};

struct Value {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;                      // inferred; -1 where unknown before run time
  std::optional<Tensor> constant;   // set for weights and folded constants
};

struct Node {
  std::string op;                   // registered operator name, e.g. "Conv"
  std::string name;
  std::vector<int> inputs;          // value ids; -1 marks an omitted optional input
  std::vector<int> outputs;         // value ids
  Attributes attrs;
};

class Graph {
 public:
  std::string name;                 // for messages: usually the model file
  std::vector<Value> values;
  std::vector<Node> nodes;          // topological order
  std::vector<int> inputs;
  std::vector<int> outputs;

  int add_value(std::string name, DType dtype = DType::kFloat32, Shape shape = {});
  int add_constant(std::string name, Tensor t);
  // Appends a node; returns its index. Output values must already exist.
  int add_node(std::string op, std::vector<int> inputs, std::vector<int> outputs,
               Attributes attrs = {}, std::string name = {});
  // Finds a value by name; -1 when absent.
  int find(const std::string& value_name) const;

  // Checks structure (ids in range, each value produced once, topological
  // order, no cycles, known operators), then infers dtypes and shapes.
  // Throws Error naming the graph and the node on any violation.
  void finalize();

  // Runs shape inference for concrete input shapes, returning every value's
  // shape (used by executors when inputs are re-shaped, e.g. an image pyramid).
  std::vector<Shape> infer_shapes(const std::vector<Shape>& input_shapes) const;

  // Evaluates nodes whose inputs are all constant (load-time work such as
  // dequantisation and shape arithmetic) and drops dead nodes and values.
  void fold_constants();

  // Makes `value_names` the graph outputs (to read an internal tensor, e.g.
  // faceres' descriptor); throws Error for an unknown name.
  void set_outputs(const std::vector<std::string>& value_names);

  int64_t parameter_count() const;
};

}  // namespace facekit::nn
