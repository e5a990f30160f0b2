#pragma once

#include <memory>

#include "facekit/nn/executor.h"

namespace facekit::nn {

// The fast executor: optimises its own copy of the graph (nn/passes), then
// runs Conv, Dense, pooling, softmax, elementwise unary and binary operators
// on oneDNN and every other operator on its reference kernel.
//
// Threads: Debian's oneDNN uses OpenMP, whose thread count is a per-thread
// setting; run() sets it to options.threads (0 = all cores; capped at
// max_threads(), limits.h) on the calling thread for the duration of the call
// and restores it afterwards. One call runs at a time per executor (calls
// from several threads are serialised).
std::unique_ptr<Executor> make_fast_executor(const Graph& graph, ExecutorOptions options);

}  // namespace facekit::nn
