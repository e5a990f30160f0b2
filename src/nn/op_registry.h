// The operator registry: one OpDef per operator, defined in src/nn/ops/ (one
// operator family per file) and listed explicitly in ops/all_ops.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "facekit/error.h"
#include "facekit/nn/graph.h"

namespace facekit::nn {

// What shape inference knows about a value. `constant` is set when the value
// is a constant (some operators read their shape arguments from it).
struct ValueInfo {
  DType dtype = DType::kFloat32;
  Shape shape;
  const Tensor* constant = nullptr;
};

struct OpDef {
  std::string name;
  // Fills `out` (one per node output) from the inputs; throws Error on
  // inconsistent shapes or attributes. Must handle -1 (unknown) dims.
  std::function<void(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out)> infer;
  // Reference kernel: plain loops. `out` tensors arrive allocated with the
  // inferred dtype and shape. Absent optional inputs are null.
  std::function<void(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out)> run;
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(OpDef def);
  // Throws Error when `name` is not registered.
  const OpDef& get(const std::string& name) const;
  bool has(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<OpDef> defs_;
};

// Context string for errors: "graph 'g', node 'n' (Op)".
std::string node_context(const std::string& graph_name, const Node& node);

// Each file in src/nn/ops/ defines one register_*_ops(OpRegistry&) function;
// register_all_ops (ops/all_ops.cc) calls them all, once, from instance().
void register_all_ops(OpRegistry& registry);

}  // namespace facekit::nn
