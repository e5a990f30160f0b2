// The TF op → IR operator table (see src/nn/ops/README.md for the IR side).
#include <functional>
#include <map>

#include "nn/tfjs/convert_context.h"

namespace facekit::nn::tfjs {
namespace {

using convert::Ctx;
using namespace convert;

void binary(const Ctx& x, const std::string& op) { x.out(x.emit(op, {x.in(0), x.in(1)})); }
void unary(const Ctx& x, const std::string& op) { x.out(x.emit(op, {x.in(0)})); }

using Handler = std::function<void(const Ctx&)>;

const std::map<std::string, Handler>& handlers() {
  static const auto* table = new std::map<std::string, Handler>{
      {"Conv2D", conv2d},
      {"_FusedConv2D", conv2d},
      {"DepthwiseConv2dNative", depthwise},
      {"FusedDepthwiseConv2dNative", depthwise},
      {"MatMul", matmul},
      {"_FusedMatMul", matmul},
      {"BiasAdd", [](const Ctx& x) { binary(x, "Add"); }},
      {"Add", [](const Ctx& x) { binary(x, "Add"); }},
      {"AddV2", [](const Ctx& x) { binary(x, "Add"); }},
      {"AddN", add_n},
      {"Sub", [](const Ctx& x) { binary(x, "Sub"); }},
      {"Mul", [](const Ctx& x) { binary(x, "Mul"); }},
      {"RealDiv", [](const Ctx& x) { binary(x, "Div"); }},
      {"Div", [](const Ctx& x) { binary(x, "Div"); }},
      {"Maximum", [](const Ctx& x) { binary(x, "Max"); }},
      {"Minimum", [](const Ctx& x) { binary(x, "Min"); }},
      {"Pow", [](const Ctx& x) { binary(x, "Pow"); }},
      {"Prelu", [](const Ctx& x) { binary(x, "Prelu"); }},
      {"Relu", [](const Ctx& x) { unary(x, "Relu"); }},
      {"Relu6", [](const Ctx& x) { x.out(x.emit("Clip", {x.in(0)}, attrs_of({{"min", 0.0}, {"max", 6.0}}))); }},
      {"LeakyRelu",
       [](const Ctx& x) { x.out(x.emit("LeakyRelu", {x.in(0)}, attrs_of({{"alpha", x.attrs.f("alpha", 0.2)}}))); }},
      {"Sigmoid", [](const Ctx& x) { unary(x, "Sigmoid"); }},
      {"Tanh", [](const Ctx& x) { unary(x, "Tanh"); }},
      {"Softmax", [](const Ctx& x) { x.out(x.emit("Softmax", {x.in(0)}, attrs_of({{"axis", int64_t{-1}}}))); }},
      {"Abs", [](const Ctx& x) { unary(x, "Abs"); }},
      {"Neg", [](const Ctx& x) { unary(x, "Neg"); }},
      {"Square", [](const Ctx& x) { unary(x, "Square"); }},
      {"Rsqrt", [](const Ctx& x) { unary(x, "Rsqrt"); }},
      {"Sqrt", [](const Ctx& x) { unary(x, "Sqrt"); }},
      {"Exp", [](const Ctx& x) { unary(x, "Exp"); }},
      {"Log", [](const Ctx& x) { unary(x, "Log"); }},
      {"Floor", [](const Ctx& x) { unary(x, "Floor"); }},
      {"Ceil", [](const Ctx& x) { unary(x, "Ceil"); }},
      {"Reciprocal", [](const Ctx& x) { unary(x, "Reciprocal"); }},
      {"Sum", [](const Ctx& x) { reduce(x, "ReduceSum"); }},
      {"Mean", [](const Ctx& x) { reduce(x, "ReduceMean"); }},
      {"Max", [](const Ctx& x) { reduce(x, "ReduceMax"); }},
      {"Min", [](const Ctx& x) { reduce(x, "ReduceMin"); }},
      {"Prod", [](const Ctx& x) { reduce(x, "ReduceProd"); }},
      {"MaxPool", [](const Ctx& x) { pool(x, "MaxPool"); }},
      {"AvgPool", [](const Ctx& x) { pool(x, "AveragePool"); }},
      {"Pad", pad},
      {"PadV2", pad},
      {"MirrorPad", pad},
      {"Reshape", reshape},
      {"Squeeze", squeeze},
      {"ExpandDims", expand_dims},
      {"StridedSlice", strided_slice},
      {"Shape", shape_op},
      {"Pack", pack},
      {"ConcatV2", concat},
      {"DepthToSpace", depth_to_space},
      {"ResizeBilinear", [](const Ctx& x) { resize(x, "linear"); }},
      {"ResizeNearestNeighbor", [](const Ctx& x) { resize(x, "nearest"); }},
      {"Cast", cast},
      {"Identity", identity},
      {"StopGradient", identity},
      {"Snapshot", identity},
      {"Transpose", transpose},
  };
  return *table;
}

}  // namespace

void convert_node(Converter& c, const TfNode& node) {
  const auto& table = handlers();
  const auto it = table.find(node.op);
  const std::string where = "node '" + node.name + "' (" + node.op + ")";
  check(it != table.end(), where, "unsupported TF op '" + node.op + "'");
  Ctx ctx{c, node, TfAttrs(node.attr, where), where};
  try {
    it->second(ctx);
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (msg.rfind(where, 0) == 0) throw;
    throw Error(where + ": " + msg);
  }
}

}  // namespace facekit::nn::tfjs
