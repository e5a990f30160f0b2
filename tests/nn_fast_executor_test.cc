// The fast (oneDNN) executor against the reference executor on hand-built
// graphs, one per accelerated operator and variant: random inputs with a
// fixed seed, outputs equal within 1e-4 of the output's scale.
#include <gtest/gtest.h>

#include <random>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"
#include "random_tensor.h"
#include "testing.h"

namespace facekit::nn {
namespace {

using testing::random_tensor;

// A one-node graph: input x (declared `declared`), optional constants, `op`.
struct OneOp {
  Graph g;
  std::mt19937 rng{1234};
  int x;
  explicit OneOp(Shape declared) { x = g.add_value("x", DType::kFloat32, std::move(declared)), g.inputs.push_back(x); }
  int constant(Shape shape, float lo = -1, float hi = 1) {
    return g.add_constant("c" + std::to_string(g.values.size()), random_tensor(std::move(shape), rng, lo, hi));
  }
  void op(const std::string& name, std::vector<int> in, Attributes attrs = {}) {
    const int y = g.add_value("y");
    g.add_node(name, std::move(in), {y}, std::move(attrs));
    g.outputs = {y};
    g.finalize();
  }
};

// Runs `g` on random inputs of each shape in `shapes` with both executors
// (the fast one reused across shapes, as for an image pyramid).
void expect_same(const Graph& g, const std::vector<Shape>& shapes, int threads = 1, float lo = -2, float hi = 2) {
  auto reference = make_executor("reference", g);
  auto fast = make_executor("fast", g, {threads});
  std::mt19937 rng(99);
  for (int round = 0; round < 2; ++round)  // the second round hits the primitive cache
    for (const Shape& s : shapes) {
      const std::vector<Tensor> in = {random_tensor(s, rng, lo, hi)};
      const auto want = reference->run(in);
      const auto got = fast->run(in);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_LE(testing::relative_max_error(got[i], want[i]), 1e-4) << "input " << shape_str(s) << " output " << i;
    }
}

Attributes conv_attrs(std::vector<int64_t> strides, const std::string& pad, int64_t group = 1,
                      const std::string& activation = "", const std::string& layout = "NHWC") {
  Attributes a;
  a.set("strides", std::move(strides));
  if (pad == "SAME" || pad == "VALID")
    a.set("auto_pad", pad == "SAME" ? std::string("SAME_UPPER") : pad);
  else
    a.set("pads", std::vector<int64_t>{1, 2, 0, 1});
  a.set("group", group);
  a.set("layout", layout);
  if (!activation.empty()) a.set("activation", activation);
  return a;
}

TEST(FastConv, SameStride1OddSizes) {
  OneOp t({1, -1, -1, 5});
  t.op("Conv", {t.x, t.constant({7, 3, 3, 5}), t.constant({7})}, conv_attrs({1, 1}, "SAME"));
  expect_same(t.g, {{1, 17, 13, 5}, {1, 9, 31, 5}, {1, 1, 1, 5}});
}

TEST(FastConv, SameStride2WithRelu) {
  OneOp t({2, 15, 11, 8});
  t.op("Conv", {t.x, t.constant({16, 3, 3, 8}), t.constant({16})}, conv_attrs({2, 2}, "SAME", 1, "Relu"));
  expect_same(t.g, {{2, 15, 11, 8}});
}

TEST(FastConv, FiveByFiveStride2Same) {
  OneOp t({1, 23, 20, 3});
  t.op("Conv", {t.x, t.constant({8, 5, 5, 3}), t.constant({8})}, conv_attrs({2, 2}, "SAME", 1, "Relu6"));
  expect_same(t.g, {{1, 23, 20, 3}});
}

TEST(FastConv, Depthwise7x7Valid) {
  OneOp t({2, 7, 7, 16});
  t.op("Conv", {t.x, t.constant({16, 7, 7, 1}), t.constant({16})}, conv_attrs({1, 1}, "VALID", 16));
  expect_same(t.g, {{2, 7, 7, 16}});
}

TEST(FastConv, Depthwise3x3Stride2SameMultiplier2) {
  OneOp t({1, 12, 9, 6});
  t.op("Conv", {t.x, t.constant({12, 3, 3, 1}), t.constant({12})}, conv_attrs({2, 2}, "SAME", 6, "Relu"));
  expect_same(t.g, {{1, 12, 9, 6}});
}

TEST(FastConv, GroupedExplicitPads) {
  OneOp t({1, 9, 10, 8});
  t.op("Conv", {t.x, t.constant({6, 3, 3, 4})}, conv_attrs({1, 2}, "pads", 2));
  expect_same(t.g, {{1, 9, 10, 8}});
}

TEST(FastConv, NchwWithPreluPerChannel) {
  OneOp t({2, 4, 11, 9});
  t.op("Conv", {t.x, t.constant({5, 3, 3, 4}), t.constant({5}), t.constant({5}, 0, 0.5f)},
       conv_attrs({1, 1}, "SAME", 1, "Prelu", "NCHW"));
  expect_same(t.g, {{2, 4, 11, 9}});
}

TEST(FastConv, DilatedWithSinglePreluSlope) {
  OneOp t({1, 14, 13, 3});
  Attributes a = conv_attrs({1, 1}, "SAME", 1, "Prelu");
  a.set("dilations", std::vector<int64_t>{2, 2});
  t.op("Conv", {t.x, t.constant({4, 3, 3, 3}), -1, t.constant({1}, 0, 0.5f)}, a);
  expect_same(t.g, {{1, 14, 13, 3}});
}

TEST(FastConv, OtherActivations) {
  for (const std::string act : {"LeakyRelu", "Sigmoid", "Tanh", "Clip"}) {
    OneOp t({1, 6, 7, 4});
    Attributes a = conv_attrs({1, 1}, "VALID", 1, act);
    a.set("alpha", 0.1);
    a.set("clip_min", -0.5);
    a.set("clip_max", 0.75);
    t.op("Conv", {t.x, t.constant({10, 1, 1, 4}), t.constant({10})}, a);
    SCOPED_TRACE(act);
    expect_same(t.g, {{1, 6, 7, 4}});
  }
}

TEST(FastDense, BiasAndPrelu) {
  OneOp t({3, 20});
  Attributes a;
  a.set("activation", std::string("Prelu"));
  t.op("Dense", {t.x, t.constant({7, 20}), t.constant({7}), t.constant({7}, 0, 0.5f)}, a);
  expect_same(t.g, {{3, 20}});
}

TEST(FastDense, Rank3InputNoBias) {
  OneOp t({2, 5, 33});
  t.op("Dense", {t.x, t.constant({9, 33})});
  expect_same(t.g, {{2, 5, 33}});
}

Attributes pool_attrs(std::vector<int64_t> kernel, std::vector<int64_t> strides, const std::string& pad,
                      int64_t count_pad = 0, const std::string& layout = "NHWC") {
  Attributes a;
  a.set("kernel", std::move(kernel));
  a.set("strides", std::move(strides));
  a.set("auto_pad", pad);
  a.set("count_include_pad", count_pad);
  a.set("layout", layout);
  return a;
}

TEST(FastPool, MaxSameStride2) {
  OneOp t({1, -1, -1, 6});
  t.op("MaxPool", {t.x}, pool_attrs({3, 3}, {2, 2}, "SAME_UPPER"));
  expect_same(t.g, {{1, 15, 12, 6}, {1, 7, 9, 6}});
}

TEST(FastPool, AverageExcludeAndIncludePadding) {
  for (int64_t count_pad : {0, 1}) {
    OneOp t({2, 9, 8, 5});
    t.op("AveragePool", {t.x}, pool_attrs({3, 3}, {1, 1}, "SAME_UPPER", count_pad));
    expect_same(t.g, {{2, 9, 8, 5}});
  }
}

TEST(FastPool, AverageValidNchwAndCeilModeFallback) {
  OneOp t({1, 4, 9, 9});
  t.op("AveragePool", {t.x}, pool_attrs({2, 2}, {2, 2}, "VALID", 0, "NCHW"));
  expect_same(t.g, {{1, 4, 9, 9}});
  OneOp c({1, 9, 9, 3});
  Attributes a = pool_attrs({2, 2}, {2, 2}, "VALID");
  a.set("ceil_mode", int64_t{1});
  c.op("MaxPool", {c.x}, a);
  expect_same(c.g, {{1, 9, 9, 3}});
}

TEST(FastSoftmax, LastAndInnerAxis) {
  for (int64_t axis : {-1, 1}) {
    OneOp t({2, 5, 3});
    Attributes a;
    a.set("axis", axis);
    t.op("Softmax", {t.x}, a);
    expect_same(t.g, {{2, 5, 3}}, 1, -8, 8);
  }
}

TEST(FastEltwise, UnaryOps) {
  for (const std::string op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Square", "Clip"}) {
    OneOp t({2, 3, 17});
    Attributes a;
    if (op == "Clip") a.set("min", 0.0), a.set("max", 6.0);
    t.op(op, {t.x}, a);
    SCOPED_TRACE(op);
    expect_same(t.g, {{2, 3, 17}}, 1, -8, 8);
  }
  for (const std::string op : {"Sqrt", "Log"}) {
    OneOp t({4, 9});
    t.op(op, {t.x});
    SCOPED_TRACE(op);
    expect_same(t.g, {{4, 9}}, 1, 0.1f, 5);
  }
}

TEST(FastBinary, BroadcastForms) {
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    SCOPED_TRACE(op);
    for (const Shape& c : std::vector<Shape>{{1, 4, 5, 3}, {3}, {1, 1, 1, 3}, {4, 1, 1}, {}}) {
      OneOp t({1, 4, 5, 3});
      t.op(op, {t.x, t.constant(c, 0.5f, 2)});
      expect_same(t.g, {{1, 4, 5, 3}});
      OneOp swapped({1, 4, 5, 3});  // the broadcast operand first
      swapped.op(op, {swapped.constant(c, 0.5f, 2), swapped.x});
      expect_same(swapped.g, {{1, 4, 5, 3}}, 1, 0.5f, 2);
    }
  }
}

TEST(FastBinary, ShortLastAxisBroadcast) {  // the plain loop: tiled operand, then the tail
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    SCOPED_TRACE(op);
    for (const Shape& c : std::vector<Shape>{{3}, {1, 1, 1, 3}, {1, 1, 5}}) {
      const Shape x = c.size() == 3 ? Shape{2, 13, 5} : Shape{1, 9, 11, 3};
      OneOp t(x);
      t.op(op, {t.x, t.constant(c, 0.5f, 2)});
      expect_same(t.g, {x});
      OneOp swapped(x);
      swapped.op(op, {swapped.constant(c, 0.5f, 2), swapped.x});
      expect_same(swapped.g, {x}, 1, 0.5f, 2);
    }
  }
}

TEST(FastBinary, LargeOperandsOnOneDnnAndLoops) {  // past the small-output cut-off
  for (const std::string op : {"Sub", "Max"}) {
    SCOPED_TRACE(op);
    for (const auto& [x, c] : std::vector<std::pair<Shape, Shape>>{
             {{1, 32, 32, 8}, {1, 32, 32, 8}}, {{1, 32, 32, 8}, {}}, {{1, 32, 32, 8}, {8}}, {{1, 16, 16, 32}, {32}}}) {
      OneOp t(x);
      t.op(op, {t.x, t.constant(c, 0.5f, 2)});
      expect_same(t.g, {x});
    }
  }
}

TEST(FastPrelu, ChannelsLastAndSingleSlope) {
  for (const Shape& slope : std::vector<Shape>{{7}, {1, 1, 7}, {1}, {5, 1}}) {
    OneOp t({2, 5, 7});
    t.op("Prelu", {t.x, t.constant(slope, 0, 0.5f)});
    expect_same(t.g, {{2, 5, 7}});
  }
}

TEST(FastPad, ConstantPadsOfEveryAxis) {
  // Channel pad (BlazeFace's residual), all axes, a single axis, nothing, rank 1.
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{1, 6, 5, 3}, {0, 0, 0, 0, 0, 0, 0, 4}},
      {{2, 3, 4, 5}, {1, 2, 0, 3, 2, 1, 3, 0}},
      {{1, 7, 1, 2}, {0, 0, 3, 0, 0, 0, 2, 0}},
      {{3, 4}, {0, 0, 0, 0}},
      {{5}, {2, 3}},
      {{1, 0, 4, 2}, {0, 1, 1, 0, 0, 1, 1, 0}},  // an empty input: all pad
  };
  for (const auto& [shape, pads] : cases) {
    SCOPED_TRACE(shape_str(shape));
    OneOp t(shape);
    Attributes a;
    a.set("pads", pads);
    a.set("value", 1.5);
    t.op("Pad", {t.x}, a);
    expect_same(t.g, {shape});
  }
}

TEST(FastPad, PadsAndValueFromInputs) {
  OneOp t({1, 4, 4, 3});
  const int pads = t.g.add_constant("pads", Tensor::from_ints({8}, {0, 1, 0, 2, 0, 0, 3, 1}));
  const int value = t.g.add_constant("value", Tensor::from_floats({}, {-2.f}));
  t.op("Pad", {t.x, pads, value});
  expect_same(t.g, {{1, 4, 4, 3}});
}

TEST(FastPad, EdgeReflectAndCropFallBack) {
  for (const std::string mode : {"edge", "reflect"}) {
    OneOp t({1, 5, 4, 2});
    Attributes a;
    a.set("pads", std::vector<int64_t>{0, 2, 1, 0, 0, 1, 2, 0});
    a.set("mode", mode);
    t.op("Pad", {t.x}, a);
    expect_same(t.g, {{1, 5, 4, 2}});
  }
  OneOp crop({1, 5, 4, 2});
  Attributes a;
  a.set("pads", std::vector<int64_t>{0, -1, 1, 0, 0, 2, -2, 0});
  crop.op("Pad", {crop.x}, a);
  expect_same(crop.g, {{1, 5, 4, 2}});
}

// act(conv(x) + z) with the residual fused into the Conv by the passes.
Graph residual_graph(Shape x_shape, const std::string& layout, const std::string& act, bool z_first) {
  OneOp t(x_shape);
  Graph& g = t.g;
  const int64_t c = layout == "NCHW" ? x_shape[1] : x_shape[3];
  const int y = g.add_value("conv"), sum = g.add_value("sum"), out = g.add_value("out");
  g.add_node("Conv", {t.x, t.constant({c, 3, 3, c}), t.constant({c})}, {y}, conv_attrs({1, 1}, "SAME", 1, "", layout));
  g.add_node("Add", z_first ? std::vector<int>{t.x, y} : std::vector<int>{y, t.x}, {sum});
  Attributes a;
  if (act == "LeakyRelu") a.set("alpha", 0.2);
  g.add_node(act, {sum}, {out}, a);
  g.outputs = {out};
  g.finalize();
  return g;
}

TEST(FastConv, ResidualAddThenActivation) {
  expect_same(residual_graph({1, 9, 7, 8}, "NHWC", "Relu", false), {{1, 9, 7, 8}});
  expect_same(residual_graph({2, 6, 5, 16}, "NHWC", "LeakyRelu", true), {{2, 6, 5, 16}});
  expect_same(residual_graph({1, 3, 6, 7}, "NCHW", "Relu", false), {{1, 3, 6, 7}});
  expect_same(residual_graph({1, -1, -1, 4}, "NHWC", "Relu", false), {{1, 1, 1, 4}, {1, 12, 3, 4}});
}

TEST(FastExecutor, DecomposedPreluAfterConvIsFusedAndExact) {
  OneOp t({1, 10, 12, 3});
  Graph& g = t.g;
  auto value = [&](const char* name) { return g.add_value(name); };
  const int c = value("conv"), n = value("neg"), rn = value("relu_neg"), m = value("scaled"), r = value("relu"),
            y = value("prelu");
  g.add_node("Conv", {t.x, t.constant({8, 3, 3, 3}), t.constant({8})}, {c}, conv_attrs({2, 2}, "SAME"));
  g.add_node("Neg", {c}, {n});
  g.add_node("Relu", {n}, {rn});
  g.add_node("Mul", {rn, t.constant({8}, -0.5f, 0)}, {m});
  g.add_node("Relu", {c}, {r});
  g.add_node("Add", {r, m}, {y});
  g.outputs = {y};
  g.finalize();
  expect_same(g, {{1, 10, 12, 3}});
}

TEST(FastExecutor, ThreadCounts) {
  OneOp t({1, 33, 31, 16});
  t.op("Conv", {t.x, t.constant({32, 3, 3, 16}), t.constant({32})}, conv_attrs({1, 1}, "SAME", 1, "Relu"));
  expect_same(t.g, {{1, 33, 31, 16}}, 2);
  expect_same(t.g, {{1, 33, 31, 16}}, 0);
}

TEST(FastExecutor, UnknownKindStillThrows) {
  OneOp t({2, 2});
  t.op("Relu", {t.x});
  EXPECT_THROW(make_executor("turbo", t.g), facekit::Error);
}

}  // namespace
}  // namespace facekit::nn
