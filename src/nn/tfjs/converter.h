// Turns TF nodes, in topological order, into IR nodes. Shapes are inferred as
// each node is emitted (with the operators' own infer functions), because
// several TF ops (Squeeze, ExpandDims, StridedSlice masks, Pack) can only be
// expressed in the IR once the rank of their input is known.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/nn/graph.h"
#include "nn/tfjs/tf_attr.h"

namespace facekit::nn::tfjs {

// One TF NodeDef, with control inputs ("^name") removed.
struct TfNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // "name" or "name:k"
  const nlohmann::json* attr = nullptr;
};

// One element of a shape vector computed at run time: a known constant, or
// dimension `dim` of value `source` (what Shape(x)[i] stands for).
struct SymDim {
  int64_t constant = 0;
  int source = -1;
  int dim = 0;
};

class Converter {
 public:
  explicit Converter(Graph& graph) : g_(graph) {}

  // The value id of TF tensor reference "name" or "name:k"; throws Error.
  int value(const std::string& ref) const;
  // Makes `value_id` the k-th output of TF node `tf_name`.
  void bind(const std::string& tf_name, int k, int value_id);

  // Appends an IR node with one output named `name` and infers its shape.
  int emit(const std::string& op, std::vector<int> inputs, Attributes attrs, const std::string& name);
  int constant(const std::string& name, Tensor t) { return g_.add_constant(unique_name(name), std::move(t)); }
  // A graph input value (not yet listed in graph.inputs).
  int input(const std::string& name, DType dtype, Shape shape) {
    return g_.add_value(unique_name(name), dtype, std::move(shape));
  }

  const Value& info(int id) const { return g_.values[id]; }
  const Tensor* const_of(int id) const { return g_.values[id].constant ? &*g_.values[id].constant : nullptr; }
  Graph& graph() { return g_; }

  // Shape vectors known symbolically (see SymDim), keyed by value id.
  std::map<int, std::vector<SymDim>> symbolic;

 private:
  // `name`, or `name/N` when taken: value names stay unique for set_outputs.
  std::string unique_name(const std::string& name);

  Graph& g_;
  std::set<std::string> names_;
  std::map<std::string, std::vector<int>> outputs_;  // TF node name → value ids
};

// Emits the IR for one TF node (not Const or Placeholder); throws Error for an
// unsupported op or attribute.
void convert_node(Converter& c, const TfNode& node);

// The name of the IR value for output k of TF node `tf_name`.
inline std::string output_name(const std::string& tf_name, int k) {
  return k == 0 ? tf_name : tf_name + ":" + std::to_string(k);
}

}  // namespace facekit::nn::tfjs
