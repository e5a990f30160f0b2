// The operators of src/nn/ops/: hand-computed cases for each, brute-force
// cross-checks for the windowed ones, and the errors bad shapes must raise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"
#include "nn/op_registry.h"
#include "testing.h"

using namespace facekit;
using namespace facekit::nn;

namespace {

using Floats = std::vector<float>;
using Ints = std::vector<int32_t>;

AttrValue I(int64_t v) { return v; }
AttrValue Is(std::vector<int64_t> v) { return v; }
AttrValue F(double v) { return v; }
AttrValue Fs(std::vector<double> v) { return v; }
AttrValue S(const char* v) { return std::string(v); }

Node make_node(const std::string& op, const std::map<std::string, AttrValue>& attrs) {
  Node node;
  node.op = op;
  node.name = "test_" + op;
  for (const auto& [k, v] : attrs) node.attrs.set(k, v);
  return node;
}

// Inputs given as tensors; an empty Tensor() marks an omitted optional input.
std::vector<ValueInfo> infos_of(const std::vector<Tensor>& inputs) {
  std::vector<ValueInfo> in;
  for (const Tensor& t : inputs) in.push_back(t.empty() ? ValueInfo{} : ValueInfo{t.dtype(), t.shape(), &t});
  return in;
}

// Infers, allocates and runs one operator, as the interpreter does.
std::vector<Tensor> run_all(const std::string& op, const std::map<std::string, AttrValue>& attrs,
                            const std::vector<Tensor>& inputs, size_t outputs = 1) {
  const Node node = make_node(op, attrs);
  const OpDef& def = OpRegistry::instance().get(op);
  std::vector<ValueInfo> out_info(outputs);
  def.infer(node, infos_of(inputs), out_info);
  std::vector<Tensor> out;
  for (const auto& o : out_info) out.emplace_back(o.dtype, o.shape);
  std::vector<Tensor*> out_ptrs;
  for (auto& t : out) out_ptrs.push_back(&t);
  std::vector<const Tensor*> in_ptrs;
  for (const Tensor& t : inputs) in_ptrs.push_back(t.empty() ? nullptr : &t);
  def.run(node, in_ptrs, out_ptrs);
  return out;
}

Tensor run_op(const std::string& op, const std::map<std::string, AttrValue>& attrs, const std::vector<Tensor>& inputs) {
  return run_all(op, attrs, inputs)[0];
}

// Shape inference alone, on non-constant inputs of the given shapes.
ValueInfo infer_op(const std::string& op, const std::map<std::string, AttrValue>& attrs,
                   const std::vector<ValueInfo>& in) {
  std::vector<ValueInfo> out(1);
  OpRegistry::instance().get(op).infer(make_node(op, attrs), in, out);
  return out[0];
}

ValueInfo info(Shape s, DType t = DType::kFloat32) { return ValueInfo{t, std::move(s), nullptr}; }

Tensor bools(Shape s, const std::vector<int>& v) {
  Tensor t(DType::kBool, std::move(s));
  for (size_t i = 0; i < v.size(); ++i) t.data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
  return t;
}

std::vector<int> bool_values(const Tensor& t) {
  std::vector<int> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.data<uint8_t>()[i]);
  return v;
}

std::vector<int32_t> int_values(const Tensor& t) { return {t.data<int32_t>(), t.data<int32_t>() + t.numel()}; }

Floats iota(int64_t n, float start = 0) {
  Floats v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

Floats random_floats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Floats v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

void expect_near(const Tensor& got, const Shape& shape, const Floats& want, float tol = 1e-5f) {
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(got.dtype(), DType::kFloat32);
  const Floats g = got.to_floats();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << "at " << i;
}

// Runs `f` and returns the facekit::Error message ("" when none is thrown).
using facekit::testing::error_of;

Tensor nhwc_from_nchw(const Tensor& t) { return run_op("Transpose", {{"perm", Is({0, 2, 3, 1})}}, {t}); }
Tensor nchw_from_nhwc(const Tensor& t) { return run_op("Transpose", {{"perm", Is({0, 3, 1, 2})}}, {t}); }

}  // namespace

// ---- Conv ------------------------------------------------------------------

TEST(Conv, ValidWithBias) {
  const Tensor x = Tensor::from_floats({1, 3, 3, 1}, iota(9, 1));
  const Tensor w = Tensor::from_floats({1, 2, 2, 1}, {1, 1, 1, 1});
  const Tensor b = Tensor::from_floats({1}, {1});
  expect_near(run_op("Conv", {{"auto_pad", S("VALID")}}, {x, w, b}), {1, 2, 2, 1}, {13, 17, 25, 29});
}

TEST(Conv, SameStride1SumsNeighbourhoods) {
  const Tensor x = Tensor::from_floats({1, 3, 3, 1}, iota(9, 1));
  const Tensor w = Tensor::from_floats({1, 3, 3, 1}, Floats(9, 1));
  expect_near(run_op("Conv", {{"auto_pad", S("SAME_UPPER")}}, {x, w}), {1, 3, 3, 1},
              {12, 21, 16, 27, 45, 33, 24, 39, 28});
}

TEST(Conv, SameStride2PutsOddPadBottomRight) {
  const Tensor x = Tensor::from_floats({1, 4, 4, 1}, iota(16));
  const Tensor w = Tensor::from_floats({1, 3, 3, 1}, Floats(9, 1));
  expect_near(run_op("Conv", {{"auto_pad", S("SAME_UPPER")}, {"strides", Is({2, 2})}}, {x, w}), {1, 2, 2, 1},
              {45, 39, 66, 50});
}

TEST(Conv, MixesInputChannels) {
  const Tensor x = Tensor::from_floats({1, 1, 1, 2}, {1, 2});
  const Tensor w = Tensor::from_floats({2, 1, 1, 2}, {1, 10, 100, 1000});
  expect_near(run_op("Conv", {}, {x, w}), {1, 1, 1, 2}, {21, 2100});
}

TEST(Conv, FusedActivations) {
  const Tensor x = Tensor::from_floats({1, 1, 2, 2}, {-2, 8, 3, -4});
  const Tensor w = Tensor::from_floats({2, 1, 1, 2}, {1, 0, 0, 1});  // identity
  expect_near(run_op("Conv", {{"activation", S("Relu")}}, {x, w}), {1, 1, 2, 2}, {0, 8, 3, 0});
  expect_near(run_op("Conv", {{"activation", S("Relu6")}}, {x, w}), {1, 1, 2, 2}, {0, 6, 3, 0});
  expect_near(run_op("Conv", {{"activation", S("LeakyRelu")}, {"alpha", F(0.1)}}, {x, w}), {1, 1, 2, 2},
              {-0.2f, 8, 3, -0.4f});
  const Tensor slope = Tensor::from_floats({2}, {0.5f, 0.25f});
  expect_near(run_op("Conv", {{"activation", S("Prelu")}}, {x, w, Tensor(), slope}), {1, 1, 2, 2}, {-1, 8, 3, -1});
  expect_near(run_op("Conv", {{"activation", S("Clip")}, {"clip_min", F(-1)}, {"clip_max", F(4)}}, {x, w}),
              {1, 1, 2, 2}, {-1, 4, 3, -1});
  expect_near(run_op("Conv", {{"activation", S("Sigmoid")}}, {x, w}), {1, 1, 2, 2},
              {1 / (1 + std::exp(2.0f)), 1 / (1 + std::exp(-8.0f)), 1 / (1 + std::exp(-3.0f)), 1 / (1 + std::exp(4.0f))});
}

namespace {

struct ConvCase {
  int64_t n, c, h, w, o, kh, kw, group;
  std::vector<int64_t> strides, dilations, pads;  // pads empty with same = true
  bool same;
};

// Independent NCHW convolution: resolves padding with TF's formula and sums
// x·w directly for every output element.
Tensor brute_force_conv(const ConvCase& k, const Floats& x, const Floats& w, const Floats& b) {
  int64_t pt = 0, pl = 0, oh = 0, ow = 0;
  const int64_t eh = (k.kh - 1) * k.dilations[0] + 1, ew = (k.kw - 1) * k.dilations[1] + 1;
  if (k.same) {
    oh = (k.h + k.strides[0] - 1) / k.strides[0];
    ow = (k.w + k.strides[1] - 1) / k.strides[1];
    pt = std::max<int64_t>(0, (oh - 1) * k.strides[0] + eh - k.h) / 2;
    pl = std::max<int64_t>(0, (ow - 1) * k.strides[1] + ew - k.w) / 2;
  } else {
    pt = k.pads[0];
    pl = k.pads[1];
    oh = (k.h + k.pads[0] + k.pads[2] - eh) / k.strides[0] + 1;
    ow = (k.w + k.pads[1] + k.pads[3] - ew) / k.strides[1] + 1;
  }
  const int64_t cg = k.c / k.group, og = k.o / k.group;
  Tensor y(DType::kFloat32, {k.n, k.o, oh, ow});
  float* out = y.data<float>();
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t o = 0; o < k.o; ++o)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double s = b[o];
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t ky = 0; ky < k.kh; ++ky)
              for (int64_t kx = 0; kx < k.kw; ++kx) {
                const int64_t iy = oy * k.strides[0] + ky * k.dilations[0] - pt;
                const int64_t ix = ox * k.strides[1] + kx * k.dilations[1] - pl;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                const int64_t c = (o / og) * cg + ci;
                s += static_cast<double>(x[((n * k.c + c) * k.h + iy) * k.w + ix]) *
                     w[((o * k.kh + ky) * k.kw + kx) * cg + ci];
              }
          out[((n * k.o + o) * oh + oy) * ow + ox] = static_cast<float>(s);
        }
  return y;
}

}  // namespace

TEST(Conv, MatchesBruteForceInBothLayouts) {
  const std::vector<ConvCase> cases = {
      {2, 4, 7, 6, 8, 3, 3, 2, {2, 2}, {1, 1}, {1, 0, 2, 1}, false},  // grouped, asymmetric pads
      {1, 3, 8, 9, 6, 3, 3, 3, {1, 1}, {2, 2}, {}, true},             // depthwise ×2, dilated
      {1, 5, 9, 9, 5, 3, 3, 5, {2, 2}, {1, 1}, {}, true},             // depthwise ×1, strided
      {1, 3, 10, 7, 4, 5, 3, 1, {2, 1}, {1, 1}, {0, 0, 0, 0}, false}, // plain, valid
      {1, 3, 5, 5, 2, 1, 1, 1, {1, 1}, {1, 1}, {}, true},             // 1x1
      {1, 4, 8, 7, 4, 3, 3, 2, {2, 2}, {1, 1}, {}, true},             // odd SAME total (h)
      {2, 2, 5, 6, 3, 2, 2, 1, {1, 1}, {1, 1}, {}, true},             // even kernel SAME
      {1, 6, 6, 6, 6, 3, 3, 6, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},  // depthwise, explicit pads
  };
  uint32_t seed = 1;
  for (const ConvCase& k : cases) {
    const Floats x = random_floats(k.n * k.c * k.h * k.w, seed++);
    const Floats w = random_floats(k.o * k.kh * k.kw * (k.c / k.group), seed++);
    const Floats b = random_floats(k.o, seed++);
    const Tensor want = brute_force_conv(k, x, w, b);
    std::map<std::string, AttrValue> attrs = {
        {"strides", Is(k.strides)}, {"dilations", Is(k.dilations)}, {"group", I(k.group)}};
    if (k.same)
      attrs["auto_pad"] = S("SAME_UPPER");
    else
      attrs["pads"] = Is(k.pads);
    const Tensor xt = Tensor::from_floats({k.n, k.c, k.h, k.w}, x);
    const Tensor wt = Tensor::from_floats({k.o, k.kh, k.kw, k.c / k.group}, w);
    const Tensor bt = Tensor::from_floats({k.o}, b);
    attrs["layout"] = S("NCHW");
    expect_near(run_op("Conv", attrs, {xt, wt, bt}), want.shape(), want.to_floats(), 1e-4f);
    attrs["layout"] = S("NHWC");
    const Tensor got = nchw_from_nhwc(run_op("Conv", attrs, {nhwc_from_nchw(xt), wt, bt}));
    expect_near(got, want.shape(), want.to_floats(), 1e-4f);
  }
}

TEST(Conv, InfersUnknownDims) {
  const ValueInfo w = info({8, 3, 3, 3});
  EXPECT_EQ(infer_op("Conv", {{"auto_pad", S("SAME_UPPER")}}, {info({-1, -1, -1, 3}), w}).shape,
            (Shape{-1, -1, -1, 8}));
  EXPECT_EQ(infer_op("Conv", {{"strides", Is({2, 2})}}, {info({-1, 9, 8, 3}), w}).shape, (Shape{-1, 4, 3, 8}));
  EXPECT_EQ(infer_op("Conv", {{"layout", S("NCHW")}, {"pads", Is({1, 1, 1, 1})}}, {info({2, 3, -1, 5}), w}).shape,
            (Shape{2, 8, -1, 5}));
}

TEST(Conv, RejectsBadShapesAndAttributes) {
  const ValueInfo x = info({1, 5, 5, 3});
  EXPECT_NE(error_of([&] { infer_op("Conv", {}, {x, info({8, 3, 3, 2})}); }).find("input channels"), std::string::npos);
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"group", I(2)}}, {x, info({8, 3, 3, 1})}); }).find("divisible"),
            std::string::npos);
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"group", I(3)}}, {x, info({8, 3, 3, 1})}); }).find("divisible"),
            std::string::npos);
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"strides", Is({1})}}, {x, info({8, 3, 3, 3})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"pads", Is({1, 1})}}, {x, info({8, 3, 3, 3})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"layout", S("NCWH")}}, {x, info({8, 3, 3, 3})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {}, {info({1, 5, 3}), info({8, 3, 3, 3})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {}, {x, info({8, 3, 3, 3}), info({7})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {}, {x, info({8, 7, 7, 3})}); }).find("does not fit"), std::string::npos);
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"activation", S("Swish")}}, {x, info({8, 3, 3, 3})}); }), "");
  EXPECT_NE(error_of([&] { infer_op("Conv", {{"activation", S("Prelu")}}, {x, info({8, 3, 3, 3})}); }), "");
  // The kernel re-validates: a wrong filter never reads out of bounds.
  const Tensor xt(DType::kFloat32, {1, 5, 5, 3});
  const Tensor wt(DType::kFloat32, {8, 3, 3, 2});
  Tensor y(DType::kFloat32, {1, 3, 3, 8});
  std::vector<Tensor*> out = {&y};
  EXPECT_NE(error_of([&] { OpRegistry::instance().get("Conv").run(make_node("Conv", {}), {&xt, &wt}, out); }), "");
}

// ---- Dense, MatMul ---------------------------------------------------------

TEST(Dense, MultipliesByTransposedWeightsAddsBias) {
  const Tensor x = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor w = Tensor::from_floats({2, 3}, {1, 0, -1, 2, 1, 0});
  const Tensor b = Tensor::from_floats({2}, {10, -20});
  expect_near(run_op("Dense", {}, {x, w, b}), {2, 2}, {8, -16, 8, -7});
  expect_near(run_op("Dense", {{"activation", S("Relu")}}, {x, w, b}), {2, 2}, {8, 0, 8, 0});
  expect_near(run_op("Dense", {}, {Tensor::from_floats({1, 1, 3}, {1, 2, 3}), w}), {1, 1, 2}, {-2, 4});
}

TEST(Dense, RejectsMismatchedK) {
  EXPECT_NE(error_of([] { infer_op("Dense", {}, {info({2, 4}), info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Dense", {}, {info({2, 3}), info({2, 3}), info({3})}); }), "");
  EXPECT_EQ(infer_op("Dense", {}, {info({-1, 3}), info({5, 3})}).shape, (Shape{-1, 5}));
}

TEST(MatMul, MatrixBatchAndVector) {
  const Tensor a = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from_floats({3, 2}, {7, 8, 9, 10, 11, 12});
  expect_near(run_op("MatMul", {}, {a, b}), {2, 2}, {58, 64, 139, 154});
  // Batched A against a broadcast 2-D B.
  expect_near(run_op("MatMul", {}, {Tensor::from_floats({2, 1, 2}, {1, 2, 3, 4}), Tensor::from_floats({2, 1}, {1, 1})}),
              {2, 1, 1}, {3, 7});
  // Both batched with broadcasting batch dims: [2,1,1,2] x [3,2,1] -> [2,3,1,1].
  const Tensor y = run_op("MatMul", {}, {Tensor::from_floats({2, 1, 1, 2}, {1, 2, 3, 4}),
                                         Tensor::from_floats({3, 2, 1}, {1, 0, 0, 1, 1, 1})});
  expect_near(y, {2, 3, 1, 1}, {1, 2, 3, 3, 4, 7});
  // 1-D x 1-D is a scalar; 1-D x 2-D drops the promoted axis.
  expect_near(run_op("MatMul", {}, {Tensor::from_floats({3}, {1, 2, 3}), Tensor::from_floats({3}, {4, 5, 6})}), {}, {32});
  expect_near(run_op("MatMul", {}, {Tensor::from_floats({3}, {1, 2, 3}), b}), {2}, {58, 64});
}

TEST(MatMul, RejectsInnerMismatchAndPropagatesUnknowns) {
  EXPECT_NE(error_of([] { infer_op("MatMul", {}, {info({2, 3}), info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("MatMul", {}, {info({2, 2, 3}), info({3, 3, 1})}); }), "");
  EXPECT_EQ(infer_op("MatMul", {}, {info({-1, 4, 3}), info({3, -1})}).shape, (Shape{-1, 4, -1}));
}

// ---- elementwise -----------------------------------------------------------

TEST(Binary, BroadcastsLikeNumpy) {
  const Tensor a = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor row = Tensor::from_floats({3}, {10, 20, 30});
  expect_near(run_op("Add", {}, {a, row}), {2, 3}, {11, 22, 33, 14, 25, 36});
  expect_near(run_op("Sub", {}, {row, a}), {2, 3}, {9, 18, 27, 6, 15, 24});
  const Tensor col = Tensor::from_floats({2, 1}, {1, 2});
  expect_near(run_op("Mul", {}, {col, row}), {2, 3}, {10, 20, 30, 20, 40, 60});
  expect_near(run_op("Div", {}, {a, Tensor::scalar(2)}), {2, 3}, {0.5f, 1, 1.5f, 2, 2.5f, 3});
  expect_near(run_op("Max", {}, {a, Tensor::scalar(3.5f)}), {2, 3}, {3.5f, 3.5f, 3.5f, 4, 5, 6});
  expect_near(run_op("Min", {}, {a, Tensor::scalar(3.5f)}), {2, 3}, {1, 2, 3, 3.5f, 3.5f, 3.5f});
  expect_near(run_op("Pow", {}, {a, Tensor::scalar(2)}), {2, 3}, {1, 4, 9, 16, 25, 36});
}

TEST(Binary, VariadicMaxMinAndMixedPow) {
  const Tensor a = Tensor::from_floats({3}, {1, 5, 3});
  const Tensor b = Tensor::from_floats({3}, {4, 2, 3});
  const Tensor c = Tensor::from_floats({1}, {2.5f});
  expect_near(run_op("Max", {}, {a, b, c}), {3}, {4, 5, 3});
  expect_near(run_op("Min", {}, {a, b, c}), {3}, {1, 2, 2.5f});
  expect_near(run_op("Max", {}, {a}), {3}, {1, 5, 3});
  expect_near(run_op("Pow", {}, {a, Tensor::from_ints({1}, {2})}), {3}, {1, 25, 9});
  EXPECT_EQ(int_values(run_op("Pow", {}, {Tensor::from_ints({2}, {2, 3}), Tensor::scalar(2)})), (Ints{4, 9}));
  EXPECT_NE(error_of([] { infer_op("Add", {}, {info({3}), info({3}), info({3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Max", {}, {info({3}), info({3}, DType::kInt32)}); }), "");
}

TEST(Binary, Int32ArithmeticTruncatesAndRefusesZeroDivisor) {
  const Tensor a = Tensor::from_ints({3}, {-7, 7, 9});
  const Tensor b = Tensor::from_ints({3}, {2, 2, -4});
  EXPECT_EQ(int_values(run_op("Div", {}, {a, b})), (Ints{-3, 3, -2}));
  EXPECT_EQ(int_values(run_op("Add", {}, {a, b})), (Ints{-5, 9, 5}));
  EXPECT_NE(error_of([&] { run_op("Div", {}, {a, Tensor::from_ints({1}, {0})}); }).find("division by zero"),
            std::string::npos);
}

TEST(Binary, RejectsMismatchesAndPropagatesUnknowns) {
  EXPECT_NE(error_of([] { infer_op("Add", {}, {info({2, 3}), info({2})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Add", {}, {info({3}), info({3}, DType::kInt32)}); }), "");
  EXPECT_EQ(infer_op("Add", {}, {info({-1, 3}), info({3})}).shape, (Shape{-1, 3}));
  EXPECT_EQ(infer_op("Mul", {}, {info({-1, 1}), info({1, 4})}).shape, (Shape{-1, 4}));
  EXPECT_EQ(infer_op("Mul", {}, {info({-1}), info({4})}).shape, (Shape{4}));
}

TEST(Prelu, ScalesNegativesBySlope) {
  const Tensor x = Tensor::from_floats({1, 2, 2}, {-1, 2, -3, -4});
  expect_near(run_op("Prelu", {}, {x, Tensor::from_floats({2}, {0.5f, 0.1f})}), {1, 2, 2}, {-0.5f, 2, -1.5f, -0.4f});
  EXPECT_NE(error_of([] { infer_op("Prelu", {}, {info({2, 2}), info({3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Prelu", {}, {info({2}), info({3, 2})}); }), "");
}

TEST(Compare, ProducesBool) {
  const Tensor a = Tensor::from_floats({3}, {1, 2, 3});
  const Tensor two = Tensor::scalar(2);
  const Tensor y = run_op("Less", {}, {a, two});
  EXPECT_EQ(y.dtype(), DType::kBool);
  EXPECT_EQ(bool_values(y), (std::vector<int>{1, 0, 0}));
  EXPECT_EQ(bool_values(run_op("LessEqual", {}, {a, two})), (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(bool_values(run_op("Greater", {}, {a, two})), (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(bool_values(run_op("GreaterEqual", {}, {a, two})), (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(bool_values(run_op("Equal", {}, {Tensor::from_ints({2, 1}, {1, 2}), Tensor::from_ints({2}, {2, 1})})),
            (std::vector<int>{0, 1, 1, 0}));
  EXPECT_NE(error_of([] { infer_op("Less", {}, {info({3}), info({2})}); }), "");
}

TEST(Unary, MatchesTheMathLibrary) {
  const Floats v = {-2.5f, -0.5f, 0.25f, 3};
  const Tensor x = Tensor::from_floats({4}, v);
  const Tensor pos = Tensor::from_floats({4}, {0.25f, 1, 4, 9});
  auto each = [&](Floats in, float (*f)(float)) {
    for (auto& e : in) e = f(e);
    return in;
  };
  expect_near(run_op("Neg", {}, {x}), {4}, {2.5f, 0.5f, -0.25f, -3});
  expect_near(run_op("Abs", {}, {x}), {4}, {2.5f, 0.5f, 0.25f, 3});
  expect_near(run_op("Exp", {}, {x}), {4}, each(v, [](float a) { return std::exp(a); }));
  expect_near(run_op("Log", {}, {pos}), {4}, {std::log(0.25f), 0, std::log(4.0f), std::log(9.0f)});
  expect_near(run_op("Sqrt", {}, {pos}), {4}, {0.5f, 1, 2, 3});
  expect_near(run_op("Rsqrt", {}, {pos}), {4}, {2, 1, 0.5f, 1 / 3.0f});
  expect_near(run_op("Square", {}, {x}), {4}, {6.25f, 0.25f, 0.0625f, 9});
  expect_near(run_op("Reciprocal", {}, {x}), {4}, {-0.4f, -2, 4, 1 / 3.0f});
  expect_near(run_op("Relu", {}, {x}), {4}, {0, 0, 0.25f, 3});
  expect_near(run_op("Sigmoid", {}, {x}), {4}, each(v, [](float a) { return 1 / (1 + std::exp(-a)); }));
  expect_near(run_op("Tanh", {}, {x}), {4}, each(v, [](float a) { return std::tanh(a); }));
  expect_near(run_op("Floor", {}, {x}), {4}, {-3, -1, 0, 3});
  expect_near(run_op("Ceil", {}, {x}), {4}, {-2, 0, 1, 3});
  expect_near(run_op("Sign", {}, {x}), {4}, {-1, -1, 1, 1});
  expect_near(run_op("LeakyRelu", {{"alpha", F(0.1)}}, {x}), {4}, {-0.25f, -0.05f, 0.25f, 3});
  expect_near(run_op("LeakyRelu", {}, {x}), {4}, {-0.025f, -0.005f, 0.25f, 3});
  expect_near(run_op("Clip", {{"min", F(0)}, {"max", F(1)}}, {x}), {4}, {0, 0, 0.25f, 1});
  expect_near(run_op("Clip", {}, {x, Tensor::scalar(-1), Tensor::scalar(2)}), {4}, {-1, -0.5f, 0.25f, 2});
  EXPECT_EQ(int_values(run_op("Neg", {}, {Tensor::from_ints({2}, {3, -4})})), (Ints{-3, 4}));
  EXPECT_NE(error_of([] { infer_op("Exp", {}, {info({2}, DType::kInt32)}); }), "");
}

TEST(Cast, TruncatesTowardZeroAndSaturates) {
  const Tensor x = Tensor::from_floats({5}, {-1.7f, 2.9f, std::nanf(""), 1e10f, 0});
  EXPECT_EQ(int_values(run_op("Cast", {{"to", S("int32")}}, {x})), (Ints{-1, 2, 0, 2147483647, 0}));
  EXPECT_EQ(bool_values(run_op("Cast", {{"to", S("bool")}}, {x})), (std::vector<int>{1, 1, 1, 1, 0}));
  expect_near(run_op("Cast", {{"to", S("float32")}}, {Tensor::from_ints({2}, {-3, 7})}), {2}, {-3, 7});
  expect_near(run_op("Cast", {{"to", I(1)}}, {bools({2}, {1, 0})}), {2}, {1, 0});  // ONNX type code
  EXPECT_NE(error_of([] { infer_op("Cast", {{"to", S("float64")}}, {info({2})}); }), "");
}

TEST(Softmax, NormalisesAlongAxis) {
  const Tensor x = Tensor::from_floats({2, 3}, {1, 2, 3, 1000, 1000, 1001});
  const float s = std::exp(1.0f) + std::exp(2.0f) + std::exp(3.0f);
  const float t = 2 + std::exp(1.0f);
  expect_near(run_op("Softmax", {}, {x}), {2, 3},
              {std::exp(1.0f) / s, std::exp(2.0f) / s, std::exp(3.0f) / s, 1 / t, 1 / t, std::exp(1.0f) / t});
  const float u = 1 / (1 + std::exp(999.0f));
  expect_near(run_op("Softmax", {{"axis", I(0)}}, {x}), {2, 3}, {u, u, u, 1 - u, 1 - u, 1 - u});
  EXPECT_NE(error_of([] { infer_op("Softmax", {{"axis", I(2)}}, {info({2, 3})}); }), "");
}

TEST(Reduce, AllReductions) {
  const Tensor x = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_near(run_op("ReduceSum", {{"axes", Is({1})}, {"keepdims", I(0)}}, {x}), {2}, {6, 15});
  expect_near(run_op("ReduceMean", {{"axes", Is({0})}}, {x}), {1, 3}, {2.5f, 3.5f, 4.5f});
  expect_near(run_op("ReduceMax", {}, {x}), {1, 1}, {6});
  expect_near(run_op("ReduceMin", {{"axes", Is({-1})}}, {x}), {2, 1}, {1, 4});
  expect_near(run_op("ReduceProd", {{"keepdims", I(0)}}, {x}), {}, {720});
  expect_near(run_op("ReduceSum", {{"keepdims", I(0)}}, {x, Tensor::from_ints({1}, {0})}), {3}, {5, 7, 9});
  // Middle axis of a 3-D tensor.
  const Tensor z = Tensor::from_floats({2, 2, 2}, iota(8));
  expect_near(run_op("ReduceSum", {{"axes", Is({1})}}, {z}), {2, 1, 2}, {2, 4, 10, 12});
  EXPECT_EQ(int_values(run_op("ReduceSum", {}, {Tensor::from_ints({3}, {1, 2, 3})})), (Ints{6}));
  EXPECT_NE(error_of([] { infer_op("ReduceSum", {{"axes", Is({2})}}, {info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("ReduceSum", {{"axes", Is({1, -1})}}, {info({2, 3})}); }), "");
  EXPECT_EQ(infer_op("ReduceMean", {{"axes", Is({1, 2})}}, {info({-1, 7, 7, 4})}).shape, (Shape{-1, 1, 1, 4}));
}

// ---- pools -----------------------------------------------------------------

TEST(Pool, MaxAndAverage) {
  const Tensor x = Tensor::from_floats({1, 4, 4, 1}, iota(16));
  expect_near(run_op("MaxPool", {{"kernel", Is({2, 2})}, {"strides", Is({2, 2})}}, {x}), {1, 2, 2, 1}, {5, 7, 13, 15});
  const Tensor y = Tensor::from_floats({1, 3, 3, 1}, iota(9, 1));
  expect_near(run_op("AveragePool", {{"kernel", Is({3, 3})}, {"auto_pad", S("SAME_UPPER")}}, {y}), {1, 3, 3, 1},
              {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
  expect_near(run_op("AveragePool", {{"kernel", Is({3, 3})}, {"pads", Is({1, 1, 1, 1})}, {"count_include_pad", I(1)}},
                     {y}),
              {1, 3, 3, 1}, {12 / 9.0f, 21 / 9.0f, 16 / 9.0f, 27 / 9.0f, 5, 33 / 9.0f, 24 / 9.0f, 39 / 9.0f, 28 / 9.0f});
  // NCHW keeps channels apart.
  const Tensor c = Tensor::from_floats({1, 2, 2, 2}, {1, 5, 3, 2, -1, -7, -3, -2});
  expect_near(run_op("MaxPool", {{"kernel_shape", Is({2, 2})}, {"layout", S("NCHW")}}, {c}), {1, 2, 1, 1}, {5, -1});
  expect_near(run_op("AveragePool", {{"kernel", Is({2, 2})}, {"layout", S("NCHW")}}, {c}), {1, 2, 1, 1}, {2.75f, -3.25f});
}

TEST(Pool, CeilModeAndErrors) {
  const Tensor x = Tensor::from_floats({1, 1, 4, 4}, iota(16));
  const std::map<std::string, AttrValue> base = {
      {"kernel", Is({3, 3})}, {"strides", Is({2, 2})}, {"layout", S("NCHW")}};
  expect_near(run_op("MaxPool", base, {x}), {1, 1, 1, 1}, {10});
  auto ceil = base;
  ceil["ceil_mode"] = I(1);
  expect_near(run_op("MaxPool", ceil, {x}), {1, 1, 2, 2}, {10, 11, 14, 15});
  expect_near(run_op("AveragePool", ceil, {x}), {1, 1, 2, 2}, {5, 6.5f, 11, 12.5f});
  EXPECT_NE(error_of([] { infer_op("MaxPool", {{"kernel", Is({2})}}, {info({1, 4, 4, 1})}); }), "");
  EXPECT_NE(error_of([] { infer_op("MaxPool", {}, {info({1, 4, 4, 1})}); }), "");
  EXPECT_NE(error_of([] { infer_op("MaxPool", {{"kernel", Is({2, 2})}, {"pads", Is({2, 0, 0, 0})}}, {info({1, 4, 4, 1})}); }),
            "");
  EXPECT_EQ(infer_op("MaxPool", {{"kernel", Is({2, 2})}, {"strides", Is({2, 2})}}, {info({-1, 8, -1, 3})}).shape,
            (Shape{-1, 4, -1, 3}));
}

// ---- data movement ---------------------------------------------------------

TEST(Reshape, ResolvesZeroAndMinusOne) {
  const Tensor x = Tensor::from_floats({2, 3}, iota(6));
  expect_near(run_op("Reshape", {{"shape", Is({3, -1})}}, {x}), {3, 2}, iota(6));
  expect_near(run_op("Reshape", {{"shape", Is({0, 3, 1})}}, {x}), {2, 3, 1}, iota(6));
  expect_near(run_op("Reshape", {}, {x, Tensor::from_ints({1}, {-1})}), {6}, iota(6));
  const Tensor b = run_op("Reshape", {{"shape", Is({6})}}, {bools({2, 3}, {1, 0, 1, 1, 0, 0})});
  EXPECT_EQ(bool_values(b), (std::vector<int>{1, 0, 1, 1, 0, 0}));
  EXPECT_EQ(infer_op("Reshape", {{"shape", Is({0, 2, 2})}}, {info({-1, 4})}).shape, (Shape{-1, 2, 2}));
  EXPECT_EQ(infer_op("Reshape", {{"shape", Is({-1, 2})}}, {info({-1, 4})}).shape, (Shape{-1, 2}));
  EXPECT_EQ(infer_op("Reshape", {}, {info({-1, 4}), info({3}, DType::kInt32)}).shape, (Shape{-1, -1, -1}));
  EXPECT_NE(error_of([] { infer_op("Reshape", {{"shape", Is({-1, -1})}}, {info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Reshape", {{"shape", Is({4, -1})}}, {info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Reshape", {{"shape", Is({7})}}, {info({2, 3})}); }), "");
}

TEST(Reshape, AllowZeroKeepsZeroDims) {
  const Tensor x(DType::kFloat32, {0, 3, 4});
  EXPECT_EQ(run_op("Reshape", {{"shape", Is({3, 4, 0})}, {"allowzero", I(1)}}, {x}).shape(), (Shape{3, 4, 0}));
  EXPECT_EQ(run_op("Reshape", {{"shape", Is({0, 12})}}, {x}).shape(), (Shape{0, 12}));
}

TEST(Shape, ReportsDimsAsInt32) {
  const Tensor s = run_op("Shape", {}, {Tensor(DType::kFloat32, {2, 3, 4})});
  EXPECT_EQ(s.dtype(), DType::kInt32);
  EXPECT_EQ(int_values(s), (Ints{2, 3, 4}));
  const Tensor x(DType::kFloat32, {2, 3, 4});
  EXPECT_EQ(int_values(run_op("Shape", {{"start", I(1)}}, {x})), (Ints{3, 4}));
  EXPECT_EQ(int_values(run_op("Shape", {{"start", I(-2)}, {"end", I(-1)}}, {x})), (Ints{3}));
  EXPECT_EQ(int_values(run_op("Identity", {}, {Tensor::from_ints({2}, {5, 6})})), (Ints{5, 6}));
}

TEST(Transpose, PermutesAnyDtype) {
  expect_near(run_op("Transpose", {}, {Tensor::from_floats({2, 3}, iota(6))}), {3, 2}, {0, 3, 1, 4, 2, 5});
  const Tensor t = run_op("Transpose", {{"perm", Is({0, 2, 1})}}, {Tensor::from_ints({2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})});
  EXPECT_EQ(t.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(int_values(t), (Ints{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11}));
  EXPECT_EQ(bool_values(run_op("Transpose", {}, {bools({2, 2}, {1, 1, 0, 0})})), (std::vector<int>{1, 0, 1, 0}));
  EXPECT_NE(error_of([] { infer_op("Transpose", {{"perm", Is({0, 0})}}, {info({2, 3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Transpose", {{"perm", Is({1, 0, 2})}}, {info({2, 3})}); }), "");
}

TEST(Concat, JoinsAlongAxis) {
  const Tensor a = Tensor::from_floats({2, 1}, {1, 2});
  const Tensor b = Tensor::from_floats({2, 2}, {3, 4, 5, 6});
  expect_near(run_op("Concat", {{"axis", I(1)}}, {a, b}), {2, 3}, {1, 3, 4, 2, 5, 6});
  expect_near(run_op("Concat", {{"axis", I(0)}}, {b, b}), {4, 2}, {3, 4, 5, 6, 3, 4, 5, 6});
  EXPECT_EQ(int_values(run_op("Concat", {{"axis", I(-1)}}, {Tensor::from_ints({1}, {7}), Tensor::from_ints({2}, {8, 9})})),
            (Ints{7, 8, 9}));
  EXPECT_EQ(bool_values(run_op("Concat", {{"axis", I(0)}}, {bools({1}, {1}), bools({1}, {0})})), (std::vector<int>{1, 0}));
  EXPECT_EQ(infer_op("Concat", {{"axis", I(1)}}, {info({-1, 2}), info({3, 5})}).shape, (Shape{3, 7}));
  EXPECT_EQ(infer_op("Concat", {{"axis", I(1)}}, {info({3, -1}), info({3, 5})}).shape, (Shape{3, -1}));
  EXPECT_NE(error_of([] { infer_op("Concat", {{"axis", I(1)}}, {info({2, 2}), info({3, 2})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Concat", {{"axis", I(0)}}, {info({2}), info({2}, DType::kInt32)}); }), "");
  EXPECT_NE(error_of([] { infer_op("Concat", {{"axis", I(2)}}, {info({2, 2}), info({2, 2})}); }), "");
}

TEST(Slice, ClampsLikeOnnx) {
  const Tensor x = Tensor::from_floats({10}, iota(10));
  expect_near(run_op("Slice", {{"starts", Is({2})}, {"ends", Is({8})}, {"steps", Is({3})}}, {x}), {2}, {2, 5});
  const int64_t big = int64_t{1} << 62;
  expect_near(run_op("Slice", {{"starts", Is({-3})}, {"ends", Is({big})}}, {x}), {3}, {7, 8, 9});
  expect_near(run_op("Slice", {{"starts", Is({-1})}, {"ends", Is({-big})}, {"steps", Is({-4})}}, {x}), {3}, {9, 5, 1});
  expect_near(run_op("Slice", {{"starts", Is({20})}, {"ends", Is({30})}}, {x}), {0}, {});
  const Tensor m = Tensor::from_ints({2, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor s = run_op("Slice", {{"starts", Is({1})}, {"ends", Is({3})}, {"axes", Is({-1})}}, {m});
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(int_values(s), (Ints{1, 2, 4, 5}));
  // Arguments as inputs (ONNX opset 10+).
  const Tensor r = run_op("Slice", {}, {x, Tensor::from_ints({1}, {1}), Tensor::from_ints({1}, {4})});
  expect_near(r, {3}, {1, 2, 3});
  EXPECT_EQ(infer_op("Slice", {{"starts", Is({1})}, {"ends", Is({3})}, {"axes", Is({1})}}, {info({-1, 5})}).shape,
            (Shape{-1, 2}));
  EXPECT_NE(error_of([] { infer_op("Slice", {{"starts", Is({0})}, {"ends", Is({1})}, {"steps", Is({0})}}, {info({3})}); }),
            "");
  EXPECT_NE(error_of([] { infer_op("Slice", {{"starts", Is({0, 0})}, {"ends", Is({1})}}, {info({3})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Slice", {{"starts", Is({0})}, {"ends", Is({1})}, {"axes", Is({1})}}, {info({3})}); }),
            "");
}

TEST(Pad, ConstantEdgeReflectAndCrop) {
  const Tensor x = Tensor::from_floats({2, 2}, {1, 2, 3, 4});
  expect_near(run_op("Pad", {{"pads", Is({1, 0, 0, 1})}}, {x}), {3, 3}, {0, 0, 0, 1, 2, 0, 3, 4, 0});
  expect_near(run_op("Pad", {{"pads", Is({0, 1, 0, 0})}, {"value", F(9)}}, {x}), {2, 3}, {9, 1, 2, 9, 3, 4});
  expect_near(run_op("Pad", {{"pads", Is({0, -1, 0, 0})}}, {x}), {2, 1}, {2, 4});
  const Tensor r = Tensor::from_floats({3}, {1, 2, 3});
  expect_near(run_op("Pad", {{"pads", Is({2, 2})}, {"mode", S("edge")}}, {r}), {7}, {1, 1, 1, 2, 3, 3, 3});
  expect_near(run_op("Pad", {{"pads", Is({2, 2})}, {"mode", S("reflect")}}, {r}), {7}, {3, 2, 1, 2, 3, 2, 1});
  EXPECT_EQ(int_values(run_op("Pad", {}, {Tensor::from_ints({1}, {5}), Tensor::from_ints({2}, {1, 1}),
                                          Tensor::from_ints({}, {7})})),
            (Ints{7, 5, 7}));
  EXPECT_EQ(bool_values(run_op("Pad", {{"pads", Is({1, 0})}}, {bools({1}, {1})})), (std::vector<int>{0, 1}));
  EXPECT_NE(error_of([] { infer_op("Pad", {{"pads", Is({1, 1})}}, {info({2, 2})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Pad", {{"pads", Is({-3, 0})}}, {info({2})}); }), "");
  EXPECT_EQ(infer_op("Pad", {{"pads", Is({0, 1, 0, 1})}}, {info({-1, 2})}).shape, (Shape{-1, 4}));
}

// ---- spatial rearrangement -------------------------------------------------

TEST(DepthToSpace, DcrAndCrdInBothLayouts) {
  const Tensor x = Tensor::from_floats({1, 8, 1, 1}, iota(8));
  expect_near(run_op("DepthToSpace", {{"blocksize", I(2)}, {"layout", S("NCHW")}}, {x}), {1, 2, 2, 2},
              {0, 2, 4, 6, 1, 3, 5, 7});
  expect_near(run_op("DepthToSpace", {{"blocksize", I(2)}, {"layout", S("NCHW")}, {"mode", S("CRD")}}, {x}),
              {1, 2, 2, 2}, iota(8));
  // NHWC (TF depth_to_space): the same tensor transposed gives the same answer transposed.
  const Tensor big = Tensor::from_floats({2, 8, 3, 2}, random_floats(96, 7));
  const Tensor want = run_op("DepthToSpace", {{"blocksize", I(2)}, {"layout", S("NCHW")}}, {big});
  const Tensor got = run_op("DepthToSpace", {{"blocksize", I(2)}}, {nhwc_from_nchw(big)});
  expect_near(nchw_from_nhwc(got), want.shape(), want.to_floats(), 0);
  expect_near(run_op("DepthToSpace", {{"blocksize", I(2)}}, {Tensor::from_floats({1, 1, 1, 4}, {1, 2, 3, 4})}),
              {1, 2, 2, 1}, {1, 2, 3, 4});
  EXPECT_NE(error_of([] { infer_op("DepthToSpace", {{"blocksize", I(2)}}, {info({1, 2, 2, 6})}); }), "");
  EXPECT_EQ(infer_op("DepthToSpace", {{"blocksize", I(2)}}, {info({-1, -1, 3, 8})}).shape, (Shape{-1, -1, 6, 2}));
}

TEST(Resize, LinearMatchesOnnxReference) {
  const Tensor x = Tensor::from_floats({1, 2, 2, 1}, {1, 2, 3, 4});
  expect_near(run_op("Resize", {{"size", Is({4, 4})}}, {x}), {1, 4, 4, 1},
              {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4});
  expect_near(run_op("Resize", {{"size", Is({3, 3})}, {"coordinate_transformation_mode", S("align_corners")}}, {x}),
              {1, 3, 3, 1}, {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
  // onnx resize_downsample_scales_linear
  const Tensor d = Tensor::from_floats({1, 1, 2, 4}, iota(8, 1));
  expect_near(run_op("Resize", {{"scales", Fs({0.6, 0.6})}, {"layout", S("NCHW")}}, {d}), {1, 1, 1, 2},
              {2.6666665f, 4.3333331f});
  // onnx resize_downsample_scales_linear_align_corners: the resized length is in·scale = 2.4.
  expect_near(run_op("Resize", {{"scales", Fs({0.6, 0.6})}, {"layout", S("NCHW")},
                                {"coordinate_transformation_mode", S("align_corners")}},
                     {d}),
              {1, 1, 1, 2}, {1, 1 + 3 / 1.4f});
}

TEST(Resize, NearestAndLayouts) {
  const Tensor x = Tensor::from_floats({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});  // NHWC, channel 1 = 10x
  const Tensor y = run_op(
      "Resize", {{"mode", S("nearest")}, {"scales", Fs({2, 2})}, {"coordinate_transformation_mode", S("asymmetric")}},
      {x});
  ASSERT_EQ(y.shape(), (Shape{1, 4, 4, 2}));
  const Floats v = y.to_floats();
  const Floats want0 = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(v[2 * i], want0[i]);
    EXPECT_EQ(v[2 * i + 1], 10 * want0[i]);
  }
  // Linear NCHW agrees with linear NHWC.
  const Tensor img = Tensor::from_floats({2, 3, 5, 4}, random_floats(120, 3));
  for (const char* coord : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"}) {
    const std::map<std::string, AttrValue> a = {{"size", Is({7, 3})}, {"coordinate_transformation_mode", S(coord)}};
    auto nchw = a;
    nchw["layout"] = S("NCHW");
    const Tensor want = run_op("Resize", nchw, {img});
    const Tensor got = nchw_from_nhwc(run_op("Resize", a, {nhwc_from_nchw(img)}));
    expect_near(got, want.shape(), want.to_floats(), 1e-6f);
  }
  EXPECT_NE(error_of([] { infer_op("Resize", {}, {info({1, 2, 2, 1})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Resize", {{"size", Is({2, 2})}, {"mode", S("cubic")}}, {info({1, 2, 2, 1})}); }), "");
  EXPECT_NE(error_of([] { infer_op("Resize", {{"size", Is({2, 2})}}, {info({2, 2, 1})}); }), "");
  EXPECT_EQ(infer_op("Resize", {{"scales", Fs({2, 2})}}, {info({-1, -1, 5, 3})}).shape, (Shape{-1, -1, 10, 3}));
}

// ---- through the graph -----------------------------------------------------

TEST(OpsInGraph, SmallCnnWithUnknownBatch) {
  Graph g;
  g.name = "tiny_cnn";
  const int x = g.add_value("x", DType::kFloat32, {-1, 6, 6, 2});
  const int w = g.add_constant("w", Tensor::from_floats({4, 3, 3, 2}, random_floats(72, 11)));
  const int b = g.add_constant("b", Tensor::from_floats({4}, random_floats(4, 12)));
  const int fw = g.add_constant("fw", Tensor::from_floats({3, 36}, random_floats(108, 13)));
  const int c = g.add_value("c"), p = g.add_value("p"), f = g.add_value("f"), d = g.add_value("d"), y = g.add_value("y");
  Attributes conv;
  conv.set("auto_pad", std::string("SAME_UPPER"));
  conv.set("activation", std::string("Relu"));
  g.add_node("Conv", {x, w, b}, {c}, conv, "conv");
  Attributes pool;
  pool.set("kernel", std::vector<int64_t>{2, 2});
  pool.set("strides", std::vector<int64_t>{2, 2});
  g.add_node("MaxPool", {c}, {p}, pool, "pool");
  Attributes flat;
  flat.set("shape", std::vector<int64_t>{0, -1});
  g.add_node("Reshape", {p}, {f}, flat, "flatten");
  g.add_node("Dense", {f, fw}, {d}, {}, "fc");
  g.add_node("Softmax", {d}, {y}, {}, "softmax");
  g.inputs = {x};
  g.outputs = {y};
  g.finalize();
  EXPECT_EQ(g.values[y].shape, (Shape{-1, 3}));
  auto ex = make_executor("reference", g);
  const auto out = ex->run({Tensor::from_floats({2, 6, 6, 2}, random_floats(144, 14))});
  ASSERT_EQ(out[0].shape(), (Shape{2, 3}));
  const Floats v = out[0].to_floats();
  EXPECT_NEAR(v[0] + v[1] + v[2], 1.0f, 1e-5f);
  EXPECT_NEAR(v[3] + v[4] + v[5], 1.0f, 1e-5f);
  // A wrong channel count is reported with the graph and node names.
  const std::string e = error_of([&] { ex->run({Tensor(DType::kFloat32, {1, 6, 6, 3})}); });
  EXPECT_NE(e.find("tiny_cnn"), std::string::npos) << e;
  EXPECT_NE(e.find("conv"), std::string::npos) << e;
}

// ---- robustness ------------------------------------------------------------

namespace {

// Infers and, when inference accepts, runs the operator; only
// facekit::Error may escape (the sanitizer build also checks bounds).
// Returns whether it ran.
bool try_op(const std::string& op, const std::map<std::string, AttrValue>& attrs, const std::vector<Tensor>& inputs) {
  try {
    run_all(op, attrs, inputs);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

TEST(OpsRobustness, RandomShapesAndAttributesNeverCrash) {
  std::mt19937 rng(2024);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* pads[] = {"SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET"};
  int ran = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const int64_t n = pick(0, 2), c = pick(1, 6), h = pick(0, 7), w = pick(1, 7);
    const bool nchw = pick(0, 1) == 1;
    // Filled in place: the shapes may hold no elements at all.
    Tensor x(DType::kFloat32, nchw ? Shape{n, c, h, w} : Shape{n, h, w, c});
    const Floats values = random_floats(x.numel(), iter);
    std::copy(values.begin(), values.end(), x.data<float>());
    std::map<std::string, AttrValue> a = {{"layout", S(nchw ? "NCHW" : "NHWC")},
                                          {"strides", Is({pick(0, 3), pick(1, 3)})},
                                          {"dilations", Is({pick(1, 3), pick(0, 2)})},
                                          {"auto_pad", S(pads[pick(0, 3)])},
                                          {"pads", Is({pick(-1, 3), pick(0, 3), pick(0, 3), pick(0, 3)})},
                                          {"group", I(pick(0, 3))},
                                          {"ceil_mode", I(pick(0, 1))}};
    const int64_t o = pick(1, 6), kh = pick(1, 4), kw = pick(1, 4), ci = pick(1, 6);
    ran += try_op("Conv", a, {x, Tensor::from_floats({o, kh, kw, ci}, random_floats(o * kh * kw * ci, iter + 1))});
    a["kernel"] = Is({kh, kw});
    ran += try_op(pick(0, 1) ? "MaxPool" : "AveragePool", a, {x});
    ran += try_op("DepthToSpace", {{"blocksize", I(pick(-1, 3))}, {"layout", a["layout"]}}, {x});
    ran += try_op("Resize", {{"size", Is({pick(-1, 5), pick(1, 5)})}, {"layout", a["layout"]}, {"mode", S(pick(0, 1) ? "linear" : "nearest")}},
           {x});
    ran += try_op("Slice", {{"starts", Is({pick(-9, 9), pick(-9, 9)})}, {"ends", Is({pick(-9, 9), pick(-9, 9)})},
                     {"axes", Is({pick(-4, 3), pick(-4, 3)})}, {"steps", Is({pick(-3, 3), pick(-3, 3)})}},
           {x});
    ran += try_op("Pad", {{"pads", Is({pick(-2, 2), pick(-2, 2), pick(-2, 2), pick(-2, 2), 0, 0, pick(-2, 2), 0})},
                   {"mode", S(pick(0, 1) ? "reflect" : "edge")}},
           {x});
    ran += try_op("Transpose", {{"perm", Is({pick(0, 3), pick(0, 3), pick(0, 3), pick(0, 3)})}}, {x});
    ran += try_op("Reshape", {{"shape", Is({pick(-1, 4), pick(-1, 0), pick(-1, 8)})}}, {x});
    ran += try_op("ReduceMax", {{"axes", Is({pick(-5, 4)})}, {"keepdims", I(pick(0, 1))}}, {x});
    const int64_t m = pick(1, 3);
    ran += try_op("Add", {}, {x, Tensor::from_floats({m}, iota(m))});
    ran += try_op("Concat", {{"axis", I(pick(-4, 4))}}, {x, x});
    ran += try_op("Softmax", {{"axis", I(pick(-5, 4))}}, {x});
    const int64_t k = pick(1, 7);
    ran += try_op("MatMul", {}, {x, Tensor::from_floats({k, 2}, random_floats(k * 2, iter))});
  }
  // Enough random cases are valid for the kernels to be exercised.
  EXPECT_GT(ran, 1500);
  std::printf("%d of %d random operator calls ran\n", ran, 400 * 14);
}
