#include "facekit/nn/graph.h"

#include <algorithm>
#include <deque>

#include "facekit/error.h"
#include "nn/op_registry.h"

namespace facekit::nn {

int Graph::add_value(std::string value_name, DType dtype, Shape shape) {
  values.push_back(Value{std::move(value_name), dtype, std::move(shape), std::nullopt});
  return static_cast<int>(values.size()) - 1;
}

int Graph::add_constant(std::string value_name, Tensor t) {
  const int id = add_value(std::move(value_name), t.dtype(), t.shape());
  values[id].constant = std::move(t);
  return id;
}

int Graph::add_node(std::string op, std::vector<int> in, std::vector<int> out, Attributes attrs,
                    std::string node_name) {
  if (node_name.empty() && !out.empty() && out[0] >= 0 && out[0] < static_cast<int>(values.size()))
    node_name = values[out[0]].name;
  nodes.push_back(Node{std::move(op), std::move(node_name), std::move(in), std::move(out), std::move(attrs)});
  return static_cast<int>(nodes.size()) - 1;
}

int Graph::find(const std::string& value_name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == value_name) return static_cast<int>(i);
  return -1;
}

namespace {

// Reorders `g.nodes` topologically (Kahn), throwing Error on a cycle or on an
// input that nothing produces.
void sort_topologically(Graph& g) {
  const int nv = static_cast<int>(g.values.size());
  std::vector<int> producer(nv, -1);
  std::vector<char> available(nv, 0);
  for (int v = 0; v < nv; ++v)
    if (g.values[v].constant) available[v] = 1;
  for (int v : g.inputs) {
    check(v >= 0 && v < nv, "graph '" + g.name + "'", "input id out of range");
    check(!g.values[v].constant, "graph '" + g.name + "'", "input '" + g.values[v].name + "' is a constant");
    available[v] = 1;
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    for (int v : node.inputs)
      check(v >= -1 && v < nv, node_context(g.name, node), "input id out of range");
    for (int v : node.outputs) {
      check(v >= 0 && v < nv, node_context(g.name, node), "output id out of range");
      check(producer[v] == -1 && !available[v], node_context(g.name, node),
            "value '" + g.values[v].name + "' is produced more than once");
      producer[v] = static_cast<int>(n);
    }
  }
  std::vector<int> pending(g.nodes.size(), 0);
  std::vector<std::vector<int>> consumers(nv);
  std::deque<int> ready;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int v : g.nodes[n].inputs) {
      if (v < 0 || available[v]) continue;
      check(producer[v] != -1, node_context(g.name, g.nodes[n]),
            "input '" + g.values[v].name + "' is produced by nothing");
      ++pending[n];
      consumers[v].push_back(static_cast<int>(n));
    }
    if (pending[n] == 0) ready.push_back(static_cast<int>(n));
  }
  std::vector<Node> sorted;
  sorted.reserve(g.nodes.size());
  while (!ready.empty()) {
    const int n = ready.front();
    ready.pop_front();
    for (int v : g.nodes[n].outputs)
      for (int c : consumers[v])
        if (--pending[c] == 0) ready.push_back(c);
    sorted.push_back(std::move(g.nodes[n]));
  }
  check(sorted.size() == g.nodes.size(), "graph '" + g.name + "'", "has a cycle");
  g.nodes = std::move(sorted);
  for (int v : g.outputs) {
    check(v >= 0 && v < nv, "graph '" + g.name + "'", "output id out of range");
    check(available[v] || producer[v] != -1, "graph '" + g.name + "'",
          "output '" + g.values[v].name + "' is produced by nothing");
  }
}

std::vector<ValueInfo> node_inputs(const Graph& g, const Node& node, const std::vector<Shape>& shapes,
                                   const std::vector<DType>& dtypes) {
  std::vector<ValueInfo> in;
  in.reserve(node.inputs.size());
  for (int v : node.inputs) {
    if (v < 0) {
      in.push_back(ValueInfo{});
      continue;
    }
    const auto& c = g.values[v].constant;
    in.push_back(ValueInfo{dtypes[v], shapes[v], c ? &*c : nullptr});
  }
  return in;
}

// Infers every value's dtype and shape, starting from `input_shapes`.
void infer_all(const Graph& g, const std::vector<Shape>& input_shapes, std::vector<Shape>& shapes,
               std::vector<DType>& dtypes) {
  shapes.resize(g.values.size());
  dtypes.resize(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) {
    shapes[v] = g.values[v].shape;
    dtypes[v] = g.values[v].dtype;
  }
  for (size_t i = 0; i < g.inputs.size() && i < input_shapes.size(); ++i) shapes[g.inputs[i]] = input_shapes[i];
  const auto& registry = OpRegistry::instance();
  for (const Node& node : g.nodes) {
    const OpDef& def = registry.get(node.op);
    std::vector<ValueInfo> out(node.outputs.size());
    try {
      def.infer(node, node_inputs(g, node, shapes, dtypes), out);
    } catch (const Error& e) {
      throw Error(node_context(g.name, node) + ": " + e.what());
    }
    check(out.size() == node.outputs.size(), node_context(g.name, node), "wrong number of outputs");
    for (size_t k = 0; k < out.size(); ++k) {
      shapes[node.outputs[k]] = out[k].shape;
      dtypes[node.outputs[k]] = out[k].dtype;
    }
  }
}

}  // namespace

void Graph::finalize() {
  const auto& registry = OpRegistry::instance();
  for (const Node& node : nodes)
    check(registry.has(node.op), "graph '" + name + "'", "unsupported operator '" + node.op + "' (node '" + node.name + "')");
  sort_topologically(*this);
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::vector<Shape> declared;
  for (int v : inputs) declared.push_back(values[v].shape);
  infer_all(*this, declared, shapes, dtypes);
  for (size_t v = 0; v < values.size(); ++v) {
    if (values[v].constant) continue;
    values[v].shape = shapes[v];
    values[v].dtype = dtypes[v];
  }
}

std::vector<Shape> Graph::infer_shapes(const std::vector<Shape>& input_shapes) const {
  check(input_shapes.size() == inputs.size(), "graph '" + name + "'",
        "expects " + std::to_string(inputs.size()) + " inputs, got " + std::to_string(input_shapes.size()));
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  infer_all(*this, input_shapes, shapes, dtypes);
  return shapes;
}

// Folding allocates at load time whatever sizes the file's numbers imply; a
// hostile file could ask for any amount, so each folded constant is capped
// (the zoo's largest folded weight is a few MiB).
constexpr size_t kMaxFoldedConstantBytes = size_t{256} << 20;

void Graph::fold_constants() {
  const auto& registry = OpRegistry::instance();
  std::vector<char> folded(nodes.size(), 0);
  for (size_t n = 0; n < nodes.size(); ++n) {
    Node& node = nodes[n];
    bool all_constant = !node.inputs.empty();
    for (int v : node.inputs) all_constant &= (v < 0 || values[v].constant.has_value());
    if (!all_constant) continue;
    const OpDef& def = registry.get(node.op);
    std::vector<ValueInfo> in_info;
    std::vector<const Tensor*> in;
    for (int v : node.inputs) {
      in.push_back(v < 0 ? nullptr : &*values[v].constant);
      in_info.push_back(v < 0 ? ValueInfo{} : ValueInfo{values[v].dtype, values[v].constant->shape(), in.back()});
    }
    std::vector<ValueInfo> out_info(node.outputs.size());
    std::vector<Tensor> out_tensors;
    std::vector<Tensor*> out;
    try {
      def.infer(node, in_info, out_info);
      for (const auto& o : out_info) {
        const int64_t max_elements = static_cast<int64_t>(kMaxFoldedConstantBytes / dtype_size(o.dtype));
        check(shape_numel(o.shape) <= max_elements, "folding it into a constant",
              "its output " + shape_str(o.shape) + " would exceed " + std::to_string(kMaxFoldedConstantBytes >> 20) + " MiB");
      }
      out_tensors.reserve(out_info.size());
      for (const auto& o : out_info) out_tensors.emplace_back(o.dtype, o.shape);
      for (auto& t : out_tensors) out.push_back(&t);
      def.run(node, in, out);
    } catch (const Error& e) {
      throw Error(node_context(name, node) + ": " + e.what());
    }
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      Value& v = values[node.outputs[k]];
      v.dtype = out_tensors[k].dtype();
      v.shape = out_tensors[k].shape();
      v.constant = std::move(out_tensors[k]);
    }
    folded[n] = 1;
  }
  // Drop the folded nodes; every other node stays, so that any internal value
  // can still be made an output (executors prune to what outputs need).
  std::vector<Node> kept;
  for (size_t n = 0; n < nodes.size(); ++n)
    if (!folded[n]) kept.push_back(std::move(nodes[n]));
  nodes = std::move(kept);
  std::vector<char> needed(values.size(), 0);
  for (int v : outputs) needed[v] = 1;
  for (const Node& node : nodes)
    for (int v : node.inputs)
      if (v >= 0) needed[v] = 1;
  // Compact the value table.
  for (int v : inputs) needed[v] = 1;
  for (const Node& node : nodes)
    for (int v : node.outputs) needed[v] = 1;
  std::vector<int> remap(values.size(), -1);
  std::vector<Value> compact;
  for (size_t v = 0; v < values.size(); ++v) {
    if (!needed[v]) continue;
    remap[v] = static_cast<int>(compact.size());
    compact.push_back(std::move(values[v]));
  }
  values = std::move(compact);
  auto apply = [&](std::vector<int>& ids) {
    for (int& v : ids)
      if (v >= 0) v = remap[v];
  };
  apply(inputs);
  apply(outputs);
  for (Node& node : nodes) {
    apply(node.inputs);
    apply(node.outputs);
  }
}

void Graph::set_outputs(const std::vector<std::string>& value_names) {
  std::vector<int> ids;
  for (const auto& n : value_names) {
    const int v = find(n);
    check(v >= 0, "graph '" + name + "'", "no value named '" + n + "'");
    ids.push_back(v);
  }
  outputs = std::move(ids);
}

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Value& v : values)
    if (v.constant && v.constant->dtype() == DType::kFloat32) n += v.constant->numel();
  return n;
}

}  // namespace facekit::nn
