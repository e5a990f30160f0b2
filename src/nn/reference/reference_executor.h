#pragma once

#include <memory>

#include "facekit/nn/executor.h"

namespace facekit::nn {

std::unique_ptr<Executor> make_reference_executor(const Graph& graph);

}  // namespace facekit::nn
