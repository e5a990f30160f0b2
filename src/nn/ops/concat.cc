// Concat: joins inputs of one dtype along `axis`; every other dim must agree.
#include <cstring>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

void infer_concat(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require(!in.empty() && out.size() == 1, "expects at least 1 input and 1 output");
  const Shape& first = in[0].shape;
  const int rank = static_cast<int>(first.size());
  require(rank >= 1, "inputs must have rank >= 1");
  const int axis = normalize_axis(node.attrs.i("axis"), rank, "axis");
  Shape y = first;
  for (size_t k = 1; k < in.size(); ++k) {
    const Shape& s = in[k].shape;
    require(in[k].dtype == in[0].dtype, "input " + std::to_string(k) + " is " + dtype_name(in[k].dtype) +
                                            ", input 0 is " + dtype_name(in[0].dtype));
    require(static_cast<int>(s.size()) == rank,
            "input " + std::to_string(k) + " " + shape_str(s) + " differs in rank from input 0 " + shape_str(first));
    for (int d = 0; d < rank; ++d) {
      if (d == axis) {
        y[d] = (y[d] < 0 || s[d] < 0) ? -1 : y[d] + s[d];
      } else {
        require(y[d] < 0 || s[d] < 0 || y[d] == s[d], "input " + std::to_string(k) + " " + shape_str(s) +
                                                          " does not match " + shape_str(first) + " off the axis");
        if (y[d] < 0) y[d] = s[d];
      }
    }
  }
  out[0] = ValueInfo{in[0].dtype, y, nullptr};
}

void run_concat(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty(), "needs inputs");
  for (const Tensor* t : in) require(t != nullptr, "an input is missing");
  Tensor& y = *out[0];
  const int axis = normalize_axis(node.attrs.i("axis"), y.rank(), "axis");
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= y.dim(d);
  for (int d = axis + 1; d < y.rank(); ++d) inner *= y.dim(d);
  const size_t size = dtype_size(y.dtype());
  int64_t total = 0;
  for (const Tensor* t : in) {
    require(t->rank() == y.rank() && t->dtype() == y.dtype(), "input does not match the output");
    for (int d = 0; d < y.rank(); ++d) require(d == axis || t->dim(d) == y.dim(d), "input shapes disagree");
    total += t->dim(axis);
  }
  require(total == y.dim(axis), "output does not match the inputs");
  const size_t row = static_cast<size_t>(y.dim(axis) * inner) * size;
  auto* dst = static_cast<uint8_t*>(y.raw());
  size_t offset = 0;
  for (const Tensor* t : in) {
    const size_t chunk = static_cast<size_t>(t->dim(axis) * inner) * size;
    const auto* src = static_cast<const uint8_t*>(t->raw());
    for (int64_t o = 0; o < outer && chunk; ++o) std::memcpy(dst + o * row + offset, src + o * chunk, chunk);
    offset += chunk;
  }
}

}  // namespace

void register_concat_ops(OpRegistry& r) { r.add(OpDef{"Concat", infer_concat, run_concat}); }

}  // namespace facekit::nn
