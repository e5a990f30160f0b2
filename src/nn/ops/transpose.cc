// Transpose: permutes axes (default: reversed), for every dtype.
#include <algorithm>
#include <numeric>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

std::vector<int64_t> read_perm(const Node& node, int rank) {
  std::vector<int64_t> perm = node.attrs.ints("perm");
  if (perm.empty()) {
    perm.resize(rank);
    for (int i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
  }
  require(static_cast<int>(perm.size()) == rank,
          "perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(rank));
  std::vector<char> seen(rank, 0);
  for (int64_t p : perm) {
    require(p >= 0 && p < rank && !seen[p], "perm " + shape_str(perm) + " is not a permutation");
    seen[p] = 1;
  }
  return perm;
}

void infer_transpose(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  const Shape& x = in[0].shape;
  const auto perm = read_perm(node, static_cast<int>(x.size()));
  Shape y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[perm[i]];
  out[0] = ValueInfo{in[0].dtype, y, nullptr};
}

void run_transpose(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  const auto perm = read_perm(node, x.rank());
  const auto in_st = contiguous_strides(x.shape());
  std::vector<int64_t> st(perm.size());
  Shape y_shape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    st[i] = in_st[perm[i]];
    y_shape[i] = x.dim(static_cast<int>(perm[i]));
  }
  require(y.shape() == y_shape && y.dtype() == x.dtype(), "output does not match the permuted input");
  const size_t size = dtype_size(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(y.raw());
  const std::vector<int64_t> zero(perm.size(), 0);
  broadcast_loop(y_shape, st, zero,
                 [&](int64_t o, int64_t i, int64_t) { copy_element(dst + o * size, src + i * size, size); });
}

}  // namespace

void register_transpose_ops(OpRegistry& r) { r.add(OpDef{"Transpose", infer_transpose, run_transpose}); }

}  // namespace facekit::nn
