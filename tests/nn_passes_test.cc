// The graph rewrite passes on small hand-built graphs: each pattern is
// rewritten into the expected operators, the optimised graph computes what the
// original does (reference executor on both), and patterns whose intermediate
// values escape are left alone.
#include <gtest/gtest.h>

#include <random>

#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"
#include "nn/passes/passes.h"
#include "random_tensor.h"
#include "testing.h"

namespace facekit::nn {
namespace {

using testing::random_tensor;

// A graph under construction with a random-constant helper.
struct Builder {
  Graph g;
  std::mt19937 rng{42};
  int input(const std::string& name, Shape shape) {
    const int v = g.add_value(name, DType::kFloat32, std::move(shape));
    g.inputs.push_back(v);
    return v;
  }
  int constant(const std::string& name, Shape shape, float lo = -1, float hi = 1) {
    return g.add_constant(name, random_tensor(std::move(shape), rng, lo, hi));
  }
  int scalar(const std::string& name, float v) { return g.add_constant(name, Tensor::scalar(v)); }
  int op(const std::string& op, std::vector<int> in, Attributes attrs = {}) {
    const int out = g.add_value("v" + std::to_string(g.values.size()));
    g.add_node(op, std::move(in), {out}, std::move(attrs));
    return out;
  }
  int conv(int x, int cin, int cout, bool nchw = false) {
    Attributes a;
    a.set("auto_pad", std::string("SAME_UPPER"));
    if (nchw) a.set("layout", std::string("NCHW"));
    return op("Conv", {x, constant("w" + std::to_string(g.values.size()), {cout, 3, 3, cin})}, a);
  }
};

int count_ops(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == op;
  return n;
}

// Finalizes `b.g` with `outputs`, optimises a copy, checks the copy keeps the
// output names and agrees with the original on a random input; returns it.
Graph optimize_and_compare(Builder& b, std::vector<int> outputs) {
  b.g.outputs = std::move(outputs);
  b.g.finalize();
  Graph opt = b.g;
  optimize(opt);
  EXPECT_EQ(opt.outputs.size(), b.g.outputs.size());
  for (size_t i = 0; i < opt.outputs.size(); ++i)
    EXPECT_EQ(opt.values[opt.outputs[i]].name, b.g.values[b.g.outputs[i]].name);
  std::vector<Tensor> inputs;
  std::mt19937 rng(7);
  for (int v : b.g.inputs) inputs.push_back(random_tensor(b.g.values[v].shape, rng, -2, 2));
  const auto want = make_executor("reference", b.g)->run(inputs);
  const auto got = make_executor("reference", opt)->run(inputs);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_LE(testing::relative_max_error(got[i], want[i]), 1e-5) << "output " << i;
  return opt;
}

TEST(Passes, PreluMtcnnFormFusesIntoConv) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 6, 5, 3}), 3, 4);
  const int pos = b.op("Relu", {x});
  const int neg = b.op("Relu", {b.op("Neg", {x})});
  const int y = b.op("Add", {pos, b.op("Mul", {neg, b.constant("minus_alpha", {4}, -0.5f, 0)})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Prelu");
}

TEST(Passes, PreluMtcnnTfliteFormWithNegatedNegativePart) {
  Builder b;  // relu(x) + alpha · (−relu(−x)), as in MTCNN's .tflite files
  const int x = b.conv(b.input("x", {1, 9, 8, 3}), 3, 10);
  const int neg = b.op("Neg", {b.op("Relu", {b.op("Neg", {x})})});
  const int y = b.op("Add", {b.op("Relu", {x}), b.op("Mul", {b.constant("alpha", {10}, 0, 0.5f), neg})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Prelu");
}

TEST(Passes, PreluSubFormOnAnInput) {
  Builder b;
  const int x = b.input("x", {2, 3, 3, 5});
  const int neg = b.op("Relu", {b.op("Neg", {x})});
  const int y = b.op("Sub", {b.op("Relu", {x}), b.op("Mul", {b.constant("alpha", {1, 1, 5}, 0, 0.5f), neg})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].op, "Prelu");
}

TEST(Passes, PreluMobileFaceNetForm) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 5, 5, 2}), 2, 3);
  const int diff = b.op("Sub", {x, b.op("Abs", {x})});
  const int scaled = b.op("Mul", {b.op("Mul", {diff, b.constant("alpha", {3}, 0, 0.5f)}), b.scalar("half", 0.5f)});
  const int y = b.op("Add", {b.op("Relu", {x}), scaled});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Prelu");
}

TEST(Passes, PreluIdentityForm) {
  Builder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int diff = b.op("Sub", {x, b.op("Abs", {x})});
  const int y = b.op("Add", {x, b.op("Mul", {diff, b.constant("k", {3}, -0.5f, 0)})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].op, "Prelu");
}

TEST(Passes, PreluMaxMinForm) {
  Builder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int pos = b.op("Max", {x, b.scalar("zero", 0)});
  const int neg = b.op("Min", {x, b.scalar("zero2", 0)});
  const int y = b.op("Add", {b.op("Mul", {b.constant("gamma", {3}, 0, 0.5f), neg}), pos});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].op, "Prelu");
}

TEST(Passes, Softmax) {
  Builder b;
  const int x = b.input("x", {3, 7});
  Attributes axes;
  axes.set("axes", std::vector<int64_t>{-1});
  axes.set("keepdims", int64_t{1});
  const int e = b.op("Exp", {b.op("Sub", {x, b.op("ReduceMax", {x}, axes)})});
  const int y = b.op("Div", {e, b.op("ReduceSum", {e}, axes)});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].op, "Softmax");
}

TEST(Passes, FoldedBatchNormAndRelu6FuseIntoConv) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 7, 6, 3}), 3, 5);
  const int bn = b.op("Add", {b.op("Mul", {x, b.constant("scale", {1, 1, 1, 5}, 0.5f, 2)}), b.constant("shift", {5})});
  const int y = b.op("Min", {b.op("Max", {bn, b.scalar("zero", 0)}), b.scalar("six", 6)});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Relu6");
}

TEST(Passes, KerasRelu6ChainMergesIntoOneActivation) {
  Builder b;  // faceres: Max(Min(Relu(conv), 6), 0)
  const int x = b.conv(b.input("x", {1, 5, 6, 2}), 2, 3);
  const int clipped = b.op("Min", {b.op("Relu", {x}), b.scalar("six", 6)});
  const int y = b.op("Max", {clipped, b.scalar("zero", 0)});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Relu6");
}

TEST(Passes, ClampsCompose) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 5, 6, 2}), 2, 3);
  Attributes clip;
  clip.set("min", -0.5);
  clip.set("max", 0.25);
  const int y = b.op("Relu", {b.op("Clip", {x}, clip)});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Clip");
  EXPECT_EQ(opt.nodes[0].attrs.f("clip_min", -1), 0.0);
  EXPECT_EQ(opt.nodes[0].attrs.f("clip_max", -1), 0.25);
}

TEST(Passes, PreluAfterReluActivationIsDropped) {
  Builder b;
  const int x = b.op("Relu", {b.conv(b.input("x", {1, 5, 6, 2}), 2, 3)});
  const int y = b.op("Prelu", {x, b.constant("slope", {3}, 0, 0.5f)});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Relu");
}

TEST(Passes, NchwConvBiasAndLeakyRelu) {
  Builder b;
  const int x = b.conv(b.input("x", {2, 3, 5, 6}), 3, 4, /*nchw=*/true);
  Attributes leaky;
  leaky.set("alpha", 0.1);
  const int y = b.op("LeakyRelu", {b.op("Sub", {x, b.constant("c", {4, 1, 1})})}, leaky);
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "LeakyRelu");
}

TEST(Passes, DenseBiasAndSigmoid) {
  Builder b;
  const int x = b.op("Dense", {b.input("x", {3, 8}), b.constant("w", {4, 8})});
  const int y = b.op("Sigmoid", {b.op("Add", {b.constant("bias", {1, 4}), x})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Sigmoid");
}

TEST(Passes, MatMulByConstantBecomesDenseWithBiasAndRelu) {
  Builder b;
  const int x = b.op("MatMul", {b.input("x", {2, 3, 6}), b.constant("m", {6, 4})});
  const int y = b.op("Relu", {b.op("Add", {x, b.constant("bias", {4})})});
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].op, "Dense");
  EXPECT_EQ(opt.nodes[0].attrs.s("activation", ""), "Relu");
}

TEST(Passes, SpatialZeroPadBecomesConvPadding) {
  Builder b;
  Attributes pad;
  pad.set("pads", std::vector<int64_t>{0, 1, 2, 0, 0, 2, 1, 0});
  const int x = b.op("Pad", {b.input("x", {1, 6, 7, 3})}, pad);
  Attributes valid;
  valid.set("auto_pad", std::string("VALID"));
  valid.set("strides", std::vector<int64_t>{2, 1});
  const int y = b.op("Conv", {x, b.constant("w", {4, 3, 3, 3})}, valid);
  const Graph opt = optimize_and_compare(b, {y});
  ASSERT_EQ(opt.nodes.size(), 1u);
  EXPECT_EQ(opt.nodes[0].attrs.ints("pads"), (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(Passes, ChannelPadIsKept) {
  Builder b;
  Attributes pad;
  pad.set("pads", std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 5});
  const int x = b.op("Pad", {b.input("x", {1, 4, 4, 3})}, pad);
  Attributes valid;
  valid.set("auto_pad", std::string("VALID"));
  const int y = b.op("Conv", {x, b.constant("w", {2, 1, 1, 8})}, valid);
  const Graph opt = optimize_and_compare(b, {y});
  EXPECT_EQ(count_ops(opt, "Pad"), 1);
}

TEST(Passes, ResidualAddAndReluFuseIntoConv) {
  Builder b;  // BlazeFace's block: relu(conv(x) + pad(x)), operands either way round
  const int x = b.input("x", {1, 5, 6, 3});
  Attributes pad;
  pad.set("pads", std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 1});
  const int shortcut = b.op("Pad", {x}, pad);
  const int y = b.op("Relu", {b.op("Add", {shortcut, b.conv(x, 3, 4)})});
  const int z = b.op("Add", {b.conv(y, 4, 4), y});
  const Graph opt = optimize_and_compare(b, {z});
  EXPECT_EQ(count_ops(opt, "Add"), 0);
  EXPECT_EQ(count_ops(opt, "Relu"), 0);
  ASSERT_EQ(count_ops(opt, "Conv"), 2);
  for (const Node& n : opt.nodes)
    if (n.op == "Conv") {
      EXPECT_EQ(n.inputs.size(), 5u);
    }
}

TEST(Passes, ResidualIsNotFusedAfterAnActivationOrWhenBroadcast) {
  Builder b;
  const int x = b.input("x", {1, 5, 6, 3});
  const int after_relu = b.op("Add", {b.op("Relu", {b.conv(x, 3, 3)}), x});
  const int broadcast = b.op("Add", {b.conv(x, 3, 3), b.input("row", {1, 1, 6, 3})});
  const Graph opt = optimize_and_compare(b, {after_relu, broadcast});
  EXPECT_EQ(count_ops(opt, "Add"), 2);
}

TEST(Passes, EscapingIntermediatesAreNotFused) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 4, 4, 2}), 2, 3);
  const int biased = b.op("Add", {x, b.constant("c", {3})});
  const int relu = b.op("Relu", {biased});
  const int other = b.op("Neg", {x});  // a second reader of the conv output
  const Graph opt = optimize_and_compare(b, {relu, other, biased});
  EXPECT_EQ(count_ops(opt, "Add"), 1);
  EXPECT_EQ(count_ops(opt, "Relu"), 1);
}

TEST(Passes, ChannelVaryingNotPerChannelIsNotFolded) {
  Builder b;
  const int x = b.conv(b.input("x", {1, 4, 4, 2}), 2, 3);
  const int y = b.op("Add", {x, b.constant("spatial", {4, 1, 1})});  // varies along H
  const Graph opt = optimize_and_compare(b, {y});
  EXPECT_EQ(count_ops(opt, "Add"), 1);
}

}  // namespace
}  // namespace facekit::nn
