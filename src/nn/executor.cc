#include "facekit/nn/executor.h"

#include "facekit/error.h"
#include "nn/fast/fast_executor.h"
#include "nn/reference/reference_executor.h"

namespace facekit::nn {

std::unique_ptr<Executor> make_executor(const std::string& kind, const Graph& graph, ExecutorOptions options) {
  if (kind == "reference") return make_reference_executor(graph);
  if (kind == "fast") return make_fast_executor(graph, options);
  throw Error("executor '" + kind + "': unknown (available: reference, fast)");
}

}  // namespace facekit::nn
