#include "nn/interpreter.h"

#include "facekit/error.h"
#include "nn/op_registry.h"

namespace facekit::nn {

Interpreter::Interpreter(const Graph& graph, const std::function<Kernel(const Node&)>& choose) : graph_(graph) {
  const size_t nv = graph.values.size();
  std::vector<char> needed(nv, 0);
  for (int v : graph.outputs) needed[v] = 1;
  std::vector<char> run_node(graph.nodes.size(), 0);
  for (size_t n = graph.nodes.size(); n-- > 0;) {
    bool used = false;
    for (int v : graph.nodes[n].outputs) used |= needed[v] != 0;
    if (!used) continue;
    run_node[n] = 1;
    for (int v : graph.nodes[n].inputs)
      if (v >= 0) needed[v] = 1;
  }
  last_use_.assign(nv, -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (!run_node[n]) continue;
    const int pos = static_cast<int>(order_.size());
    order_.push_back(static_cast<int>(n));
    kernels_.push_back(choose(graph.nodes[n]));
    for (int v : graph.nodes[n].inputs)
      if (v >= 0) last_use_[v] = pos;
  }
  for (int v : graph.outputs) last_use_[v] = static_cast<int>(order_.size());  // never freed
}

std::vector<Tensor> Interpreter::run(const std::vector<Tensor>& inputs) const {
  const Graph& g = graph_;
  check(inputs.size() == g.inputs.size(), "graph '" + g.name + "'",
        "expects " + std::to_string(g.inputs.size()) + " inputs, got " + std::to_string(inputs.size()));
  std::vector<Tensor> slots(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].constant) slots[v] = *g.values[v].constant;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& declared = g.values[g.inputs[i]];
    const Tensor& t = inputs[i];
    const std::string context = "graph '" + g.name + "', input '" + declared.name + "'";
    check(!t.empty(), context, "no tensor given");
    check(t.dtype() == declared.dtype, context,
          std::string("expects ") + dtype_name(declared.dtype) + ", got " + dtype_name(t.dtype()));
    check(t.rank() == static_cast<int>(declared.shape.size()), context,
          "expects shape " + shape_str(declared.shape) + ", got " + shape_str(t.shape()));
    slots[g.inputs[i]] = t;
  }
  const auto& registry = OpRegistry::instance();
  for (size_t pos = 0; pos < order_.size(); ++pos) {
    const Node& node = g.nodes[order_[pos]];
    std::vector<ValueInfo> in_info;
    std::vector<const Tensor*> in;
    for (int v : node.inputs) {
      if (v < 0) {
        in_info.push_back(ValueInfo{});
        in.push_back(nullptr);
        continue;
      }
      const Tensor& t = slots[v];
      in_info.push_back(ValueInfo{t.dtype(), t.shape(), &t});
      in.push_back(&t);
    }
    std::vector<ValueInfo> out_info(node.outputs.size());
    std::vector<Tensor*> out;
    try {
      registry.get(node.op).infer(node, in_info, out_info);
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        slots[node.outputs[k]] = Tensor(out_info[k].dtype, out_info[k].shape);
        out.push_back(&slots[node.outputs[k]]);
      }
      kernels_[pos](node, in, out);
    } catch (const Error& e) {
      throw Error(node_context(g.name, node) + ": " + e.what());
    }
    for (int v : node.inputs)
      if (v >= 0 && last_use_[v] == static_cast<int>(pos) && !g.values[v].constant) slots[v] = Tensor();
  }
  std::vector<Tensor> outputs;
  for (int v : g.outputs) outputs.push_back(slots[v]);
  return outputs;
}

}  // namespace facekit::nn
