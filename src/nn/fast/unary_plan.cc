#include "nn/fast/unary_plan.h"

#include "nn/fast/kernels.h"

namespace facekit::nn::fast {
namespace {

struct CachedPlan {
  std::optional<UnaryPlan> plan;  // empty: reference kernel
  // Made once: each run only points them at its tensors.
  dnnl::memory src, dst;
  std::unordered_map<int, dnnl::memory> args;
};

}  // namespace

Kernel make_unary_kernel(const std::string& op, UnaryPlanner planner) {
  auto cache = std::make_shared<ShapeCache<CachedPlan>>();
  const Kernel reference = zeroing_reference(op);
  return [cache, planner = std::move(planner), reference](const Node& node, const std::vector<const Tensor*>& in,
                                                          std::vector<Tensor*>& out) {
    const Tensor& x = *in[0];
    Tensor& y = *out[0];
    CachedPlan* cached = cache->find(x.shape());
    if (!cached) {
      auto made = std::make_unique<CachedPlan>();
      if (x.dtype() == DType::kFloat32 && x.numel() > 0 && y.numel() > 0) {
        try {
          made->plan = planner(node, x.shape(), y.shape());
          if (made->plan) {
            made->src = dnnl::memory(made->plan->src, cpu_engine(), DNNL_MEMORY_NONE);
            made->dst = dnnl::memory(made->plan->dst, cpu_engine(), DNNL_MEMORY_NONE);
            made->args = {{DNNL_ARG_SRC, made->src}, {DNNL_ARG_DST, made->dst}};
          }
        } catch (const dnnl::error&) {
          made->plan.reset();
        }
      }
      cached = &cache->add({x.shape()}, std::move(made));
    }
    if (!cached->plan) {
      reference(node, in, out);
      return;
    }
    cached->src.set_data_handle(const_cast<float*>(x.data<float>()));
    cached->dst.set_data_handle(y.data<float>());
    cached->plan->prim.execute(thread_stream(), cached->args);
    thread_stream().wait();
  };
}

}  // namespace facekit::nn::fast
