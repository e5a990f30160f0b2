// Reshape, Shape and Identity: operators that only move or describe bytes,
// for every dtype.
#include <algorithm>
#include <cstring>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

// Resolves the requested shape against the input: 0 copies the input dim
// (unless ONNX's allowzero is set: then 0 is a zero dim), one -1 takes the
// remaining count. Unknown input dims
// leave the -1 unresolved.
Shape resolve_reshape(const Shape& in, const std::vector<int64_t>& request, bool allow_zero) {
  Shape out(request.size());
  int infer_at = -1;
  for (size_t i = 0; i < request.size(); ++i) {
    const int64_t r = request[i];
    if (r == 0 && !allow_zero) {
      require(i < in.size(), "shape " + shape_str(request) + " copies dim " + std::to_string(i) +
                                 " that input " + shape_str(in) + " lacks");
      out[i] = in[i];
    } else if (r == -1) {
      require(infer_at < 0, "shape " + shape_str(request) + " has more than one -1");
      infer_at = static_cast<int>(i);
      out[i] = -1;
    } else {
      require(r >= 0, "shape " + shape_str(request) + " has a negative dim");
      out[i] = r;
    }
  }
  const int64_t total = known_numel(in);
  int64_t rest = 1;
  bool rest_known = true;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) == infer_at) continue;
    if (out[i] < 0) {
      rest_known = false;
      continue;
    }
    rest = checked_mul(rest, out[i]);
  }
  if (total < 0 || !rest_known) return out;
  if (infer_at >= 0) {
    require(rest != 0 ? total % rest == 0 : total == 0,
            "cannot reshape " + shape_str(in) + " to " + shape_str(request));
    out[infer_at] = rest != 0 ? total / rest : 0;
  } else {
    require(rest == total, "cannot reshape " + shape_str(in) + " (" + std::to_string(total) + " elements) to " +
                               shape_str(out));
  }
  return out;
}

void infer_reshape(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 2);
  const bool allow_zero = node.attrs.i("allowzero", 0) != 0;
  if (has_input(in, 1)) {
    require(in[1].dtype != DType::kBool && in[1].shape.size() == 1,
            "shape input must be a 1-D integer tensor, got " + shape_str(in[1].shape));
    if (!in[1].constant) {  // computed at run time: only the rank is known
      require(in[1].shape[0] >= 0, "shape input has an unknown length");
      out[0] = ValueInfo{in[0].dtype, Shape(static_cast<size_t>(in[1].shape[0]), -1), nullptr};
      return;
    }
    out[0] = ValueInfo{in[0].dtype, resolve_reshape(in[0].shape, in[1].constant->to_int64(), allow_zero), nullptr};
    return;
  }
  require(node.attrs.has("shape"), "needs a shape attribute or input");
  out[0] = ValueInfo{in[0].dtype, resolve_reshape(in[0].shape, node.attrs.ints("shape"), allow_zero), nullptr};
}

// Copies the bytes; the output was allocated with the inferred shape.
void run_copy(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  require(in[0]->nbytes() == out[0]->nbytes() && in[0]->dtype() == out[0]->dtype(), "output does not match input");
  if (in[0]->nbytes()) std::memcpy(out[0]->raw(), in[0]->raw(), in[0]->nbytes());
}

void infer_identity(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  out[0] = ValueInfo{in[0].dtype, in[0].shape, nullptr};
}

// The dims Shape reports: [start, end) of the input's, clamped (ONNX opset 15).
std::pair<int64_t, int64_t> shape_range(const Node& node, int64_t rank) {
  int64_t start = node.attrs.i("start", 0), end = node.attrs.i("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  return {start, end};
}

void infer_shape(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  const auto [start, end] = shape_range(node, static_cast<int64_t>(in[0].shape.size()));
  out[0] = ValueInfo{DType::kInt32, Shape{end - start}, nullptr};
}

void run_shape(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const auto [start, end] = shape_range(node, in[0]->rank());
  require(out[0]->numel() == end - start && out[0]->dtype() == DType::kInt32, "output does not match the input rank");
  for (int64_t i = start; i < end; ++i) {
    require(in[0]->dim(static_cast<int>(i)) <= 2147483647, "dim does not fit int32");
    out[0]->data<int32_t>()[i - start] = static_cast<int32_t>(in[0]->dim(static_cast<int>(i)));
  }
}

}  // namespace

void register_reshape_ops(OpRegistry& r) {
  r.add(OpDef{"Reshape", infer_reshape, run_copy});
  r.add(OpDef{"Shape", infer_shape, run_shape});
  r.add(OpDef{"Identity", infer_identity, run_copy});
}

}  // namespace facekit::nn
