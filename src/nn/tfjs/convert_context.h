// The context one TF op's conversion works in, and the converters of
// convert_nn.cc and convert_shape.cc that the op table (convert_ops.cc) names.
#pragma once

#include <string>
#include <vector>

#include "facekit/error.h"
#include "nn/tfjs/converter.h"

namespace facekit::nn::tfjs::convert {

// One TF node being converted: its inputs as IR values, its attributes, and
// where it is (for messages).
struct Ctx {
  Converter& c;
  const TfNode& node;
  TfAttrs attrs;
  std::string where;

  int in(size_t i) const {
    check(i < node.inputs.size(), where, "has " + std::to_string(node.inputs.size()) + " inputs, needs input " +
                                             std::to_string(i));
    return c.value(node.inputs[i]);
  }
  const Tensor& const_in(size_t i) const {
    const Tensor* t = c.const_of(in(i));
    check(t != nullptr, where, "input " + std::to_string(i) + " must be a constant");
    return *t;
  }
  // Index-like arguments (axes, paddings, slice bounds) are int32 in TF.js.
  std::vector<int64_t> const_ints(size_t i) const {
    const Tensor& t = const_in(i);
    check(t.dtype() == DType::kInt32, where, "input " + std::to_string(i) + " must be int32");
    return t.to_int64();
  }
  const Shape& shape_of(int v) const { return c.info(v).shape; }
  void out(int v, int k = 0) const { c.bind(node.name, k, v); }
  int emit(const std::string& op, std::vector<int> inputs, Attributes a = {}, const std::string& suffix = "") const {
    return c.emit(op, std::move(inputs), std::move(a), suffix.empty() ? node.name : node.name + "/" + suffix);
  }
  void fail(const std::string& reason) const { throw Error(where + ": " + reason); }
};

inline Attributes attrs_of(std::initializer_list<std::pair<const char*, AttrValue>> kv) {
  Attributes a;
  for (const auto& [k, v] : kv) a.set(k, v);
  return a;
}

inline void check_nhwc(const Ctx& x) {
  const std::string f = x.attrs.s("data_format", "NHWC");
  if (f != "NHWC") x.fail("data_format '" + f + "' is not supported (only NHWC)");
}


// Neural-network ops (convert_nn.cc).
void conv2d(const Ctx& x);     // Conv2D, _FusedConv2D
void depthwise(const Ctx& x);  // DepthwiseConv2dNative, FusedDepthwiseConv2dNative
void matmul(const Ctx& x);     // MatMul, _FusedMatMul: Dense when B is constant
void add_n(const Ctx& x);
void reduce(const Ctx& x, const std::string& op);
void pool(const Ctx& x, const std::string& op);

// Shape and data-movement ops (convert_shape.cc).
void pad(const Ctx& x);
void reshape(const Ctx& x);
void squeeze(const Ctx& x);
void expand_dims(const Ctx& x);
void strided_slice(const Ctx& x);
void shape_op(const Ctx& x);
void pack(const Ctx& x);
void concat(const Ctx& x);
void cast(const Ctx& x);
void depth_to_space(const Ctx& x);
void resize(const Ctx& x, const std::string& mode);
void identity(const Ctx& x);
void transpose(const Ctx& x);

}  // namespace facekit::nn::tfjs::convert
