// Interpreter: the run loop that every executor shares. It walks the nodes the
// outputs depend on, infers each node's output shapes from the actual inputs,
// allocates them, calls the node's kernel and frees each value after its last
// use. Executors differ only in the kernel they give each node.
#pragma once

#include <functional>
#include <vector>

#include "facekit/nn/graph.h"

namespace facekit::nn {

using Kernel = std::function<void(const Node&, const std::vector<const Tensor*>&, std::vector<Tensor*>&)>;

class Interpreter {
 public:
  // `choose` picks the kernel of each needed node, once.
  Interpreter(const Graph& graph, const std::function<Kernel(const Node&)>& choose);
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;

 private:
  const Graph& graph_;
  std::vector<int> order_;             // indices of needed nodes, in order
  std::vector<Kernel> kernels_;        // per entry of order_
  std::vector<int> last_use_;          // per value: position in order_ of its last reader
};

}  // namespace facekit::nn
