#include "facekit/nn/executor.h"

#include "facekit/error.h"
#include "nn/reference/reference_executor.h"

namespace facekit::nn {

std::unique_ptr<Executor> make_executor(const std::string& kind, const Graph& graph, ExecutorOptions) {
  if (kind == "reference") return make_reference_executor(graph);
  throw Error("executor '" + kind + "': unknown (available: reference)");
}

}  // namespace facekit::nn
