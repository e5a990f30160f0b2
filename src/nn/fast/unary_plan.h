// UnaryKernel: the common shape of the one-input, one-output oneDNN kernels
// (pooling, eltwise, softmax): a primitive per input shape, executed with the
// input as SRC and the output as DST, or the reference kernel for shapes the
// primitive factory declines.
#pragma once

#include <functional>
#include <optional>

#include "nn/fast/dnnl_util.h"
#include "nn/fast/shape_cache.h"
#include "nn/interpreter.h"

namespace facekit::nn::fast {

struct UnaryPlan {
  dnnl::primitive prim;
  dnnl::memory::desc src, dst;
};

// Makes the plan for one input shape; nullopt (or a dnnl::error) means "use
// the reference kernel for this shape".
using UnaryPlanner = std::function<std::optional<UnaryPlan>(const Node&, const Shape& x, const Shape& y)>;

Kernel make_unary_kernel(const std::string& op, UnaryPlanner planner);

}  // namespace facekit::nn::fast
