#include "nn/interpreter.h"

#include "facekit/error.h"
#include "nn/op_registry.h"

namespace facekit::nn {
namespace {

// Models run at a handful of input shapes (an image pyramid at most).
constexpr size_t kMaxPlans = 16;

bool fully_known(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return false;
  return true;
}

}  // namespace

Interpreter::Interpreter(const Graph& graph, const std::function<NodeKernel(const Node&)>& choose) : graph_(graph) {
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

std::shared_ptr<const Interpreter::ShapePlan> Interpreter::plan_for(const std::vector<Tensor>& inputs) const {
  auto matches = [&](const ShapePlan& p) {
    for (size_t i = 0; i < inputs.size(); ++i)
      if (p.input_shapes[i] != inputs[i].shape()) return false;
    return true;
  };
  {
    std::lock_guard<std::mutex> lock(plans_mutex_);
    for (const auto& p : plans_)
      if (matches(*p)) return p;
  }
  auto plan = make_plan(inputs);
  std::lock_guard<std::mutex> lock(plans_mutex_);
  if (plans_.size() >= kMaxPlans) plans_.erase(plans_.begin());
  plans_.push_back(plan);
  return plan;
}

// Shape inference over the needed nodes as at load time: constants are
// known, other values only by dtype and shape. Any unknown dimension, or an
// error (which the run then reports with the actual values), makes the plan
// dynamic.
std::shared_ptr<const Interpreter::ShapePlan> Interpreter::make_plan(const std::vector<Tensor>& inputs) const {
  const Graph& g = graph_;
  auto plan = std::make_shared<ShapePlan>();
  std::vector<ValueInfo> info(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].constant) info[v] = ValueInfo{g.values[v].constant->dtype(), g.values[v].constant->shape(), &*g.values[v].constant};
  for (size_t i = 0; i < inputs.size(); ++i) {
    plan->input_shapes.push_back(inputs[i].shape());
    info[g.inputs[i]] = ValueInfo{inputs[i].dtype(), inputs[i].shape(), nullptr};
  }
  const auto& registry = OpRegistry::instance();
  for (int n : order_) {
    const Node& node = g.nodes[n];
    std::vector<ValueInfo> in;
    for (int v : node.inputs) in.push_back(v < 0 ? ValueInfo{} : info[v]);
    std::vector<ValueInfo> out(node.outputs.size());
    try {
      registry.get(node.op).infer(node, in, out);
    } catch (const Error&) {
      plan->dynamic = true;
      return plan;
    }
    auto& outputs = plan->outputs.emplace_back();
    for (size_t k = 0; k < out.size(); ++k) {
      if (!fully_known(out[k].shape)) {
        plan->dynamic = true;
        return plan;
      }
      outputs.emplace_back(out[k].dtype, out[k].shape);
      info[node.outputs[k]] = ValueInfo{out[k].dtype, out[k].shape, nullptr};
    }
  }
  return plan;
}

std::vector<Tensor> Interpreter::run(const std::vector<Tensor>& inputs) const {
  const Graph& g = graph_;
  if (inputs.size() != g.inputs.size())
    throw Error("graph '" + g.name + "': expects " + std::to_string(g.inputs.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  std::vector<Tensor> slots(g.values.size());  // non-constant values
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& declared = g.values[g.inputs[i]];
    const Tensor& t = inputs[i];
    auto fail = [&](const std::string& reason) {
      throw Error("graph '" + g.name + "', input '" + declared.name + "': " + reason);
    };
    if (t.empty()) fail("no tensor given");
    if (t.dtype() != declared.dtype)
      fail(std::string("expects ") + dtype_name(declared.dtype) + ", got " + dtype_name(t.dtype()));
    if (t.rank() != static_cast<int>(declared.shape.size()))
      fail("expects shape " + shape_str(declared.shape) + ", got " + shape_str(t.shape()));
    slots[g.inputs[i]] = t;
  }
  auto value = [&](int v) -> const Tensor& { return g.values[v].constant ? *g.values[v].constant : slots[v]; };
  const auto plan = plan_for(inputs);
  const auto& registry = OpRegistry::instance();
  std::vector<const Tensor*> in;
  std::vector<Tensor*> out;
  for (size_t pos = 0; pos < order_.size(); ++pos) {
    const Node& node = g.nodes[order_[pos]];
    const NodeKernel& kernel = kernels_[pos];
    in.clear();
    out.clear();
    for (int v : node.inputs) in.push_back(v < 0 ? nullptr : &value(v));
    try {
      auto allocate = [&](size_t k, DType dtype, const Shape& shape) {
        Tensor& slot = slots[node.outputs[k]];
        slot = kernel.overwrites ? Tensor::uninitialized(dtype, shape) : Tensor(dtype, shape);
        out.push_back(&slot);
      };
      if (!plan->dynamic) {
        const auto& types = plan->outputs[pos];
        for (size_t k = 0; k < types.size(); ++k) allocate(k, types[k].first, types[k].second);
      } else {
        std::vector<ValueInfo> in_info;
        for (const Tensor* t : in) in_info.push_back(t ? ValueInfo{t->dtype(), t->shape(), t} : ValueInfo{});
        std::vector<ValueInfo> out_info(node.outputs.size());
        registry.get(node.op).infer(node, in_info, out_info);
        for (size_t k = 0; k < out_info.size(); ++k) allocate(k, out_info[k].dtype, out_info[k].shape);
      }
      kernel.run(node, in, out);
    } catch (const Error& e) {
      throw Error(node_context(g.name, node) + ": " + e.what());
    }
    for (int v : node.inputs)
      if (v >= 0 && last_use_[v] == static_cast<int>(pos) && !g.values[v].constant) slots[v] = Tensor();
  }
  std::vector<Tensor> outputs;
  for (int v : g.outputs) outputs.push_back(value(v));
  return outputs;
}

}  // namespace facekit::nn
