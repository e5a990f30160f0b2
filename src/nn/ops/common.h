// Helpers shared by the operator files: argument checks, numpy broadcasting,
// Conv/pool padding, fused activations and layout conversion. Each idea has
// exactly one implementation here so that every operator agrees on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "facekit/error.h"
#include "nn/op_registry.h"

namespace facekit::nn {

// One registration function per operator family (one file each).
void register_conv_ops(OpRegistry& r);
void register_dense_ops(OpRegistry& r);
void register_matmul_ops(OpRegistry& r);
void register_binary_ops(OpRegistry& r);
void register_compare_ops(OpRegistry& r);
void register_unary_ops(OpRegistry& r);
void register_cast_ops(OpRegistry& r);
void register_softmax_ops(OpRegistry& r);
void register_reduce_ops(OpRegistry& r);
void register_pool_ops(OpRegistry& r);
void register_reshape_ops(OpRegistry& r);
void register_transpose_ops(OpRegistry& r);
void register_concat_ops(OpRegistry& r);
void register_slice_ops(OpRegistry& r);
void register_pad_ops(OpRegistry& r);
void register_depth_to_space_ops(OpRegistry& r);
void register_resize_ops(OpRegistry& r);

namespace ops {

// Throws Error(reason) unless `ok`. The graph and interpreter prefix the
// message with the graph and node names, so reasons need not repeat them.
inline void require(bool ok, const std::string& reason) {
  if (!ok) throw Error(reason);
}

// Checks the input count is within [min, max] and that the first `min`
// inputs are present; the output count must be 1.
void require_arity(const std::vector<ValueInfo>& in, const std::vector<ValueInfo>& out, size_t min, size_t max);
// Checks a present input's dtype.
void require_dtype(const ValueInfo& v, DType t, const std::string& what);
// True when optional input `i` exists and is not omitted. An omitted input
// arrives as ValueInfo{} (rank 0, no constant); a non-constant scalar looks the
// same during graph-level inference, which only affects optional inputs whose
// value does not change the output shape.
inline bool has_input(const std::vector<ValueInfo>& in, size_t i) {
  return i < in.size() && (!in[i].shape.empty() || in[i].constant != nullptr);
}
inline bool has_input(const std::vector<const Tensor*>& in, size_t i) { return i < in.size() && in[i] != nullptr; }

// Sanity bounds for hostile files: no real tensor dim reaches kMaxDim, no
// window (kernel, stride, dilation) kMaxWindow; products stay within int64.
constexpr int64_t kMaxDim = int64_t{1} << 40;
constexpr int64_t kMaxWindow = int64_t{1} << 20;

// Multiplies two non-negative sizes; throws Error on int64 overflow.
int64_t checked_mul(int64_t a, int64_t b);

// Normalises a possibly negative axis into [0, rank); throws when outside.
int normalize_axis(int64_t axis, int rank, const std::string& what);

// Element count when every dim is known, else -1.
int64_t known_numel(const Shape& s);

// ---- broadcasting ----------------------------------------------------------

// numpy broadcast of two shapes; -1 (unknown) dims stay unknown unless the
// other side fixes them. Throws on incompatible dims.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Element strides of `in` (row-major) aligned to the right of `out`, with 0 on
// broadcast dims, so that an out index maps to an in offset.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls f(out_offset, a_offset, b_offset) for every element of `out`, in
// row-major order; `sa`/`sb` are per-dim strides (0 = broadcast).
template <class F>
void broadcast_loop(const Shape& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb, F&& f) {
  const int rank = static_cast<int>(out.size());
  for (int64_t d : out)
    if (d == 0) return;
  if (rank == 0) {
    f(int64_t{0}, int64_t{0}, int64_t{0});
    return;
  }
  const int64_t inner = out[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  int64_t o = 0, oa = 0, ob = 0;
  while (true) {
    for (int64_t j = 0; j < inner; ++j) f(o + j, oa + j * ia, ob + j * ib);
    o += inner;
    int d = rank - 2;
    for (; d >= 0; --d) {
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < out[d]) break;
      oa -= sa[d] * out[d];
      ob -= sb[d] * out[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// Row-major element strides of a shape.
std::vector<int64_t> contiguous_strides(const Shape& s);

// ---- images, layouts and windows -------------------------------------------

// The 4-D image dims of an NHWC or NCHW tensor.
struct ImageDims {
  int64_t n, h, w, c;
};
// Reads the "layout" attribute; true for NCHW, false for NHWC, throws otherwise.
bool is_nchw(const Node& node);
ImageDims image_dims(const Shape& s, bool nchw, const std::string& what);
Shape image_shape(const ImageDims& d, bool nchw);
// Layout conversions of a 4-D tensor of any dtype.
Tensor nchw_to_nhwc(const Tensor& t);
Tensor nhwc_to_nchw(const Tensor& t);

// A 2-D sliding window: kernel, strides, dilations and resolved padding.
struct Window {
  int64_t kh, kw, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
};
// Reads strides, dilations and ceil_mode for a kh×kw window; the padding is
// resolved per input size by resolve_padding.
Window read_window(const Node& node, int64_t kh, int64_t kw);
// Output extent along one axis (-1 when `in` is unknown) and its padding
// from "pads"/"auto_pad". Throws when the window does not fit.
struct AxisPlan {
  int64_t out, pad_before, pad_after;
};
AxisPlan plan_axis(const Node& node, int axis, int64_t in, int64_t k, int64_t stride, int64_t dilation, bool ceil_mode);
// Fills the window's pads and returns the output size {oh, ow}.
std::pair<int64_t, int64_t> resolve_padding(const Node& node, Window& win, int64_t in_h, int64_t in_w);

// ---- fused activations -----------------------------------------------------

struct Activation {
  enum Kind { kNone, kRelu, kRelu6, kLeakyRelu, kPrelu, kSigmoid, kTanh, kClip } kind = kNone;
  float alpha = 0.2f, lo = 0, hi = 0;
};
// Reads the "activation" attribute (and alpha / clip_min / clip_max).
Activation read_activation(const Node& node);
// Validates the Prelu slope input: `channels` values, or 1 (any shape).
void check_activation_slope(const Activation& act, const ValueInfo* slope, int64_t channels);
// Applies `act` in place to `count` values whose channel is the fastest-varying
// axis of length `channels`; `slope` holds 1 or `channels` values for Prelu.
void apply_activation(const Activation& act, float* data, int64_t count, int64_t channels, const Tensor* slope);
// The scalar form, shared with the standalone operators.
float activate(const Activation& act, float x, float slope);

// ---- element access by size ------------------------------------------------

// Copies one element of `size` bytes (1 or 4: every dtype here).
inline void copy_element(void* dst, const void* src, size_t size) {
  if (size == 4)
    *static_cast<uint32_t*>(dst) = *static_cast<const uint32_t*>(src);
  else
    *static_cast<uint8_t*>(dst) = *static_cast<const uint8_t*>(src);
}

// Integer list argument: from input `index` when present (must then be
// constant to be known: `known` is set false when it is not), else attribute
// `attr` (or `def`).
std::vector<int64_t> ints_from_input_or_attr(const Node& node, const std::vector<ValueInfo>& in, size_t index,
                                             const std::string& attr, const std::vector<int64_t>& def, bool* known);
std::vector<int64_t> ints_from_input_or_attr(const Node& node, const std::vector<const Tensor*>& in, size_t index,
                                             const std::string& attr, const std::vector<int64_t>& def);

}  // namespace ops
}  // namespace facekit::nn
