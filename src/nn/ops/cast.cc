// Cast between float32, int32 and bool. float→int truncates toward zero;
// NaN becomes 0 and out-of-range values saturate (C++ would be undefined).
#include <cmath>
#include <cstring>

#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

// The target dtype: "to" as a name, or as an ONNX TensorProto type code.
DType target_dtype(const Node& node) {
  const auto it = node.attrs.all().find("to");
  require(it != node.attrs.all().end(), "attribute 'to' is required");
  if (const auto* code = std::get_if<int64_t>(&it->second)) {
    switch (*code) {
      case 1: return DType::kFloat32;
      case 6: return DType::kInt32;
      case 9: return DType::kBool;
    }
    throw Error("unsupported target type code " + std::to_string(*code));
  }
  const std::string to = node.attrs.s("to", "");
  if (to == "float32" || to == "float") return DType::kFloat32;
  if (to == "int32") return DType::kInt32;
  if (to == "bool") return DType::kBool;
  throw Error("unsupported target type '" + to + "' (float32, int32 or bool)");
}

void infer_cast(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  require_arity(in, out, 1, 1);
  out[0] = ValueInfo{target_dtype(node), in[0].shape, nullptr};
}

int32_t float_to_int(float v) {
  if (std::isnan(v)) return 0;
  if (v >= 2147483647.0f) return 2147483647;
  if (v <= -2147483648.0f) return -2147483647 - 1;
  return static_cast<int32_t>(v);
}

void run_cast(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
  require(!in.empty() && in[0], "needs input X");
  const Tensor& x = *in[0];
  Tensor& y = *out[0];
  const DType to = target_dtype(node);
  require(y.dtype() == to && y.numel() == x.numel(), "output does not match input");
  if (x.dtype() == to) {
    if (x.nbytes()) std::memcpy(y.raw(), x.raw(), x.nbytes());
    return;
  }
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) {
    // Read as float (exact for int32 up to 2^24) or as int/bool directly.
    switch (to) {
      case DType::kFloat32:
        y.data<float>()[i] = x.dtype() == DType::kInt32 ? static_cast<float>(x.data<int32_t>()[i])
                                                       : static_cast<float>(x.data<uint8_t>()[i] != 0);
        break;
      case DType::kInt32:
        y.data<int32_t>()[i] = x.dtype() == DType::kFloat32 ? float_to_int(x.data<float>()[i])
                                                           : static_cast<int32_t>(x.data<uint8_t>()[i] != 0);
        break;
      case DType::kBool:
        y.data<uint8_t>()[i] = x.dtype() == DType::kFloat32 ? x.data<float>()[i] != 0.0f : x.data<int32_t>()[i] != 0;
        break;
    }
  }
}

}  // namespace

void register_cast_ops(OpRegistry& r) { r.add(OpDef{"Cast", infer_cast, run_cast}); }

}  // namespace facekit::nn
