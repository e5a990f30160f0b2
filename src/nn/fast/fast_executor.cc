#include "nn/fast/fast_executor.h"

#include <omp.h>

#include <cstring>
#include <mutex>

#include "facekit/error.h"
#include "facekit/limits.h"
#include "nn/fast/kernels.h"
#include "nn/interpreter.h"
#include "nn/op_registry.h"
#include "nn/passes/passes.h"

namespace facekit::nn {
namespace {

// The oneDNN kernel for `node` when there is one, else its reference kernel.
NodeKernel choose_kernel(const Graph& g, const Node& node) {
  using namespace fast;
  const std::string& op = node.op;
  Kernel k;
  if (op == "Conv") {
    k = make_conv_kernel(g, node);
  } else if (op == "Dense") {
    k = make_dense_kernel(g, node);
  } else if (op == "MaxPool" || op == "AveragePool") {
    k = make_pool_kernel(g, node);
  } else if (op == "Prelu") {
    k = make_prelu_kernel(g, node);
  } else if (op == "Pad") {
    k = make_pad_kernel(g, node);
  } else if (op == "Softmax") {
    k = make_softmax_kernel(g, node);
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Max" || op == "Min") {
    k = make_binary_kernel(g, node);
  } else {
    k = make_eltwise_kernel(g, node);
  }
  if (k) return {std::move(k), true};
  return {OpRegistry::instance().get(op).run, false};
}

}  // namespace

namespace fast {

Kernel zeroing_reference(const std::string& op) {
  const Kernel reference = OpRegistry::instance().get(op).run;
  return [reference](const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    for (Tensor* t : out)
      if (!t->empty()) std::memset(t->raw(), 0, t->nbytes());
    reference(node, in, out);
  };
}

}  // namespace fast

namespace {

// The optimised copy; the plain copy if the graph cannot be re-finalized
// (e.g. a caller's graph that was never finalized), so that "fast" runs
// whatever "reference" runs.
Graph optimized(const Graph& graph) {
  Graph g = graph;
  try {
    optimize(g);
  } catch (const Error&) {
    return graph;
  }
  return g;
}

class FastExecutor final : public Executor {
 public:
  FastExecutor(const Graph& graph, ExecutorOptions options)
      : graph_(optimized(graph)),
        threads_(thread_count(options.threads, "threads")),
        interpreter_(graph_, [this](const Node& node) { return choose_kernel(graph_, node); }) {}

  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const int previous = omp_get_max_threads();
    omp_set_num_threads(threads_);
    try {
      auto outputs = interpreter_.run(inputs);
      omp_set_num_threads(previous);
      return outputs;
    } catch (...) {
      omp_set_num_threads(previous);
      throw;
    }
  }
  std::string name() const override { return "fast"; }

 private:
  Graph graph_;  // the optimised copy the kernels point into
  int threads_;
  Interpreter interpreter_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Executor> make_fast_executor(const Graph& graph, ExecutorOptions options) {
  return std::make_unique<FastExecutor>(graph, options);
}

}  // namespace facekit::nn
