// Conversions between ONNX TensorProtos and IR tensors.
//
// The IR carries float32, int32 and bool. ONNX int64 (shapes, indices) maps
// to int32 and back: a value that does not fit is an error, never a silent
// wrap. Narrower integer types widen exactly to int32 and float16 to float32.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "facekit/nn/tensor.h"

namespace facekit::nn::onnx_io {

// The IR dtype for an ONNX element type; nullopt when the IR has no such type.
std::optional<DType> dtype_from_onnx(int elem_type);
const char* onnx_type_name(int elem_type);

// Reads `p` into a tensor; throws Error (prefixed by `context`) when the data
// is shorter or longer than the dims claim, is stored externally, or has a
// type the IR cannot carry.
Tensor tensor_from_proto(const onnx::TensorProto& p, const std::string& context);

// The exact integer values of an integer tensor (int64 kept wide): shape-like
// arguments such as Slice's ends may legitimately hold INT64_MAX.
std::vector<int64_t> ints_from_proto(const onnx::TensorProto& p, const std::string& context);

// Writes `t` into `p` as raw data; int32 is written as INT64 (ONNX's type for
// shapes and indices), so that exported Reshape/Slice arguments are valid.
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* p);

}  // namespace facekit::nn::onnx_io
