// Comparisons with numpy broadcasting: Less LessEqual Greater GreaterEqual
// Equal on float32, int32 (or bool for Equal); the result is bool.
#include "nn/ops/common.h"

namespace facekit::nn {
namespace {

using namespace ops;

enum class CmpOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };

template <class T>
bool compare(CmpOp op, T a, T b) {
  switch (op) {
    case CmpOp::kLess: return a < b;
    case CmpOp::kLessEqual: return a <= b;
    case CmpOp::kGreater: return a > b;
    case CmpOp::kGreaterEqual: return a >= b;
    case CmpOp::kEqual: return a == b;
  }
  return false;
}

template <class T>
void compare_kernel(CmpOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  const auto sa = broadcast_strides(a.shape(), y.shape());
  const auto sb = broadcast_strides(b.shape(), y.shape());
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  auto* py = y.data<uint8_t>();
  broadcast_loop(y.shape(), sa, sb, [&](int64_t o, int64_t ia, int64_t ib) { py[o] = compare(op, pa[ia], pb[ib]); });
}

OpDef compare_def(const std::string& name, CmpOp op) {
  auto infer = [op](const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
    require_arity(in, out, 2, 2);
    require(in[0].dtype == in[1].dtype, std::string("operand dtypes differ: ") + dtype_name(in[0].dtype) + " and " +
                                            dtype_name(in[1].dtype));
    require(in[0].dtype != DType::kBool || op == CmpOp::kEqual, "bool operands are only supported by Equal");
    out[0] = ValueInfo{DType::kBool, broadcast_shapes(in[0].shape, in[1].shape), nullptr};
  };
  auto run = [op](const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    require(in.size() == 2 && in[0] && in[1], "needs inputs A and B");
    require(in[0]->dtype() == in[1]->dtype(), "operand dtypes differ");
    switch (in[0]->dtype()) {
      case DType::kFloat32: compare_kernel<float>(op, *in[0], *in[1], *out[0]); break;
      case DType::kInt32: compare_kernel<int32_t>(op, *in[0], *in[1], *out[0]); break;
      case DType::kBool: compare_kernel<uint8_t>(op, *in[0], *in[1], *out[0]); break;
    }
  };
  return OpDef{name, infer, run};
}

}  // namespace

void register_compare_ops(OpRegistry& r) {
  r.add(compare_def("Less", CmpOp::kLess));
  r.add(compare_def("LessEqual", CmpOp::kLessEqual));
  r.add(compare_def("Greater", CmpOp::kGreater));
  r.add(compare_def("GreaterEqual", CmpOp::kGreaterEqual));
  r.add(compare_def("Equal", CmpOp::kEqual));
}

}  // namespace facekit::nn
