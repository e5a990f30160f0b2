// Interpreter: the run loop that every executor shares. It walks the nodes the
// outputs depend on, infers each node's output shapes from the actual inputs,
// allocates them, calls the node's kernel and frees each value after its last
// use. Executors differ only in the kernel they give each node.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "facekit/nn/graph.h"

namespace facekit::nn {

using Kernel = std::function<void(const Node&, const std::vector<const Tensor*>&, std::vector<Tensor*>&)>;

// A node's kernel. `overwrites` promises that the kernel writes every element
// of every output, so that the interpreter may skip zero-filling them.
struct NodeKernel {
  Kernel run;
  bool overwrites = false;
};

class Interpreter {
 public:
  // `choose` picks the kernel of each needed node, once.
  Interpreter(const Graph& graph, const std::function<NodeKernel(const Node&)>& choose);
  // Safe to call from several threads at once if the kernels are.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;

 private:
  // Every needed node's output dtypes and shapes for one list of input
  // shapes, inferred once from the shapes and the graph's constants alone.
  // `dynamic` when some shape depends on run-time values: each node's outputs
  // are then inferred during the run from the actual inputs.
  struct ShapePlan {
    std::vector<Shape> input_shapes;
    bool dynamic = false;
    std::vector<std::vector<std::pair<DType, Shape>>> outputs;  // per entry of order_
  };
  std::shared_ptr<const ShapePlan> plan_for(const std::vector<Tensor>& inputs) const;
  std::shared_ptr<const ShapePlan> make_plan(const std::vector<Tensor>& inputs) const;

  const Graph& graph_;
  std::vector<int> order_;             // indices of needed nodes, in order
  std::vector<NodeKernel> kernels_;    // per entry of order_
  std::vector<int> last_use_;          // per value: position in order_ of its last reader
  mutable std::mutex plans_mutex_;
  mutable std::vector<std::shared_ptr<const ShapePlan>> plans_;  // most recent last
};

}  // namespace facekit::nn
