// The reference executor: every node runs its registry kernel (plain loops).
#include "nn/reference/reference_executor.h"

#include "nn/interpreter.h"
#include "nn/op_registry.h"

namespace facekit::nn {

namespace {
class ReferenceExecutor final : public Executor {
 public:
  explicit ReferenceExecutor(const Graph& graph)
      : graph_(graph), interpreter_(graph_, [](const Node& node) { return NodeKernel{OpRegistry::instance().get(node.op).run}; }) {}
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override { return interpreter_.run(inputs); }
  std::string name() const override { return "reference"; }

 private:
  Graph graph_;  // own copy: the executor outlives the caller's graph
  Interpreter interpreter_;
};
}  // namespace

std::unique_ptr<Executor> make_reference_executor(const Graph& graph) {
  return std::make_unique<ReferenceExecutor>(graph);
}

}  // namespace facekit::nn
