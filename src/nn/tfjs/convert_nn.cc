// TF neural-network ops → IR: convolutions (filters transposed to the IR's
// [O, KH, KW, I/group]), matrix products, pooling and reductions.
#include <utility>

#include "nn/tfjs/convert_context.h"

namespace facekit::nn::tfjs::convert {
namespace {

// [1, h, w, 1] (NHWC) → [h, w].
std::vector<int64_t> spatial(const Ctx& x, const char* key, int64_t def) {
  auto v = x.attrs.ints(key);
  if (v.empty()) return {def, def};
  if (v.size() != 4) x.fail(std::string("attribute '") + key + "' must hold 4 values");
  if (v[0] != 1 || v[3] != 1) x.fail(std::string("attribute '") + key + "' must be 1 on batch and channels");
  return {v[1], v[2]};
}

// TF padding → IR auto_pad / pads.
void set_padding(const Ctx& x, Attributes& a) {
  const std::string p = x.attrs.s("padding", "VALID");
  if (p == "SAME") a.set("auto_pad", std::string("SAME_UPPER"));
  else if (p == "VALID") a.set("auto_pad", std::string("VALID"));
  else if (p == "EXPLICIT") {
    const auto e = x.attrs.ints("explicit_paddings");  // [n0,n1,t,b,l,r,c0,c1]
    if (e.size() != 8) x.fail("explicit_paddings must hold 8 values");
    a.set("pads", std::vector<int64_t>{e[2], e[4], e[3], e[5]});
  } else x.fail("padding '" + p + "' is not supported");
}

// Reads fused_ops: sets "activation" (and alpha), returns the bias and slope
// value ids (-1 when absent). `first_arg` is the index of the first extra input.
std::pair<int, int> fused_epilogue(const Ctx& x, size_t first_arg, Attributes& a) {
  const auto ops = x.attrs.strings("fused_ops");
  int bias = -1, slope = -1;
  size_t arg = first_arg;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string& op = ops[i];
    if (op == "BiasAdd" && i == 0) { bias = x.in(arg++); continue; }
    if (i + 1 != ops.size() || a.has("activation")) x.fail("fused op sequence not supported at '" + op + "'");
    if (op == "Relu" || op == "Relu6" || op == "Sigmoid" || op == "Tanh") a.set("activation", op);
    else if (op == "LeakyRelu") {
      a.set("activation", std::string("LeakyRelu"));
      a.set("alpha", x.attrs.f("leakyrelu_alpha", 0.2));
    } else if (op == "Prelu") {
      a.set("activation", std::string("Prelu"));
      slope = x.in(arg++);
    } else x.fail("fused op '" + op + "' is not supported");
  }
  return {bias, slope};
}

// Conv / Dense inputs: X, W, then B (-1 when absent but a slope follows), Slope.
std::vector<int> conv_inputs(int xv, int w, std::pair<int, int> epilogue) {
  std::vector<int> v{xv, w};
  if (epilogue.first >= 0 || epilogue.second >= 0) v.push_back(epilogue.first);
  if (epilogue.second >= 0) v.push_back(epilogue.second);
  return v;
}

Tensor transpose2d(const Tensor& t) {
  const int64_t r = t.dim(0), c = t.dim(1);
  Tensor out(t.dtype(), {c, r});
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) out.data<float>()[j * r + i] = t.data<float>()[i * c + j];
  return out;
}

// An unfused activation node after `v` (for MatMul with a non-constant B).
int activation_node(const Ctx& x, int v, const Attributes& a, int slope) {
  const std::string act = a.s("activation", "");
  if (act.empty()) return v;
  if (act == "Relu6") return x.emit("Clip", {v}, attrs_of({{"min", 0.0}, {"max", 6.0}}), "act");
  if (act == "Prelu") return x.emit("Prelu", {v, slope}, {}, "act");
  if (act == "LeakyRelu") return x.emit("LeakyRelu", {v}, attrs_of({{"alpha", a.f("alpha", 0.2)}}), "act");
  return x.emit(act, {v}, {}, "act");
}

}  // namespace

void add_n(const Ctx& x) {
  if (x.node.inputs.empty()) x.fail("AddN has no inputs");
  int acc = x.in(0);
  if (x.node.inputs.size() == 1) { x.out(x.emit("Identity", {acc})); return; }
  for (size_t i = 1; i < x.node.inputs.size(); ++i)
    acc = x.emit("Add", {acc, x.in(i)}, {}, i + 1 == x.node.inputs.size() ? "" : "sum" + std::to_string(i));
  x.out(acc);
}

void conv2d(const Ctx& x) {
  check_nhwc(x);
  const int xv = x.in(0);
  const Tensor& f = x.const_in(1);  // HWIO
  if (f.rank() != 4 || f.dtype() != DType::kFloat32) x.fail("filter must be a float 4-D constant");
  const int64_t kh = f.dim(0), kw = f.dim(1), ci = f.dim(2), co = f.dim(3);
  Tensor w(DType::kFloat32, {co, kh, kw, ci});
  const float* src = f.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t ww = 0; ww < kw; ++ww)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o) dst[((o * kh + h) * kw + ww) * ci + i] = src[((h * kw + ww) * ci + i) * co + o];
  Attributes a;
  a.set("layout", std::string("NHWC"));
  a.set("strides", spatial(x, "strides", 1));
  a.set("dilations", spatial(x, "dilations", 1));
  const Shape& xs = x.shape_of(xv);
  int64_t group = 1;
  if (xs.size() == 4 && xs[3] > 0 && ci > 0 && xs[3] != ci) {
    if (xs[3] % ci != 0) x.fail("input channels are not a multiple of the filter's");
    group = xs[3] / ci;
  }
  a.set("group", group);
  set_padding(x, a);
  const auto epi = fused_epilogue(x, 2, a);
  x.out(x.emit("Conv", conv_inputs(xv, x.c.constant(x.node.name + "/filter", std::move(w)), epi), a));
}

void depthwise(const Ctx& x) {
  check_nhwc(x);
  const int xv = x.in(0);
  const Tensor& f = x.const_in(1);  // [KH, KW, C, M]
  if (f.rank() != 4 || f.dtype() != DType::kFloat32) x.fail("filter must be a float 4-D constant");
  const int64_t kh = f.dim(0), kw = f.dim(1), ch = f.dim(2), m = f.dim(3);
  Tensor w(DType::kFloat32, {ch * m, kh, kw, 1});
  const float* src = f.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t ww = 0; ww < kw; ++ww)
      for (int64_t c = 0; c < ch; ++c)
        for (int64_t j = 0; j < m; ++j) dst[((c * m + j) * kh + h) * kw + ww] = src[((h * kw + ww) * ch + c) * m + j];
  Attributes a;
  a.set("layout", std::string("NHWC"));
  a.set("strides", spatial(x, "strides", 1));
  a.set("dilations", spatial(x, "dilations", 1));
  a.set("group", ch);
  set_padding(x, a);
  const auto epi = fused_epilogue(x, 2, a);
  x.out(x.emit("Conv", conv_inputs(xv, x.c.constant(x.node.name + "/filter", std::move(w)), epi), a));
}

void matmul(const Ctx& x) {
  int av = x.in(0);
  const int bv = x.in(1);
  const bool ta = x.attrs.b("transpose_a", false);
  const bool tb = x.attrs.b("transpose_b", false);
  if (ta) av = x.emit("Transpose", {av}, attrs_of({{"perm", std::vector<int64_t>{1, 0}}}), "transpose_a");
  Attributes a;
  const auto epi = fused_epilogue(x, 2, a);
  const Tensor* b = x.c.const_of(bv);
  if (b && b->rank() == 2 && b->dtype() == DType::kFloat32) {
    const int w = x.c.constant(x.node.name + "/weights", tb ? *b : transpose2d(*b));
    x.out(x.emit("Dense", conv_inputs(av, w, epi), a));
    return;
  }
  int bb = bv;
  if (tb) bb = x.emit("Transpose", {bv}, attrs_of({{"perm", std::vector<int64_t>{1, 0}}}), "transpose_b");
  const bool more = epi.first >= 0 || a.has("activation");
  int y = x.emit("MatMul", {av, bb}, {}, more ? "matmul" : "");
  if (epi.first >= 0) y = x.emit("Add", {y, epi.first}, {}, "bias");
  x.out(activation_node(x, y, a, epi.second));
}

void reduce(const Ctx& x, const std::string& op) {
  const bool keep = x.attrs.b("keep_dims", false) || x.attrs.b("keepdims", false);
  x.out(x.emit(op, {x.in(0)}, attrs_of({{"axes", x.const_ints(1)}, {"keepdims", int64_t{keep}}})));
}

void pool(const Ctx& x, const std::string& op) {
  check_nhwc(x);
  Attributes a;
  a.set("layout", std::string("NHWC"));
  a.set("kernel", spatial(x, "ksize", 1));
  a.set("strides", spatial(x, "strides", 1));
  set_padding(x, a);
  x.out(x.emit(op, {x.in(0)}, a));
}

}  // namespace facekit::nn::tfjs::convert
