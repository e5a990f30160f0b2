// Executors run a finalized Graph. The reference executor is plain loops —
// the oracle the fast one is tested against; the fast one maps operators onto
// oneDNN primitives and falls back to the reference kernels elsewhere.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "facekit/nn/graph.h"

namespace facekit::nn {

struct ExecutorOptions {
  int threads = 1;                  // 0 = all cores
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs the graph on `inputs` (one per graph input, in order). Input shapes
  // may differ from the graph's declared ones where dimensions are free or the
  // network is fully convolutional. Returns one tensor per graph output.
  // Throws Error for a wrong input count, dtype or incompatible shape.
  virtual std::vector<Tensor> run(const std::vector<Tensor>& inputs) = 0;
  virtual std::string name() const = 0;
};

// "reference" or "fast"; throws Error for another name.
std::unique_ptr<Executor> make_executor(const std::string& kind, const Graph& graph,
                                        ExecutorOptions options = {});

}  // namespace facekit::nn
