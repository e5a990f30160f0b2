// The graph IR: structural checks, shape inference, constant folding and the
// interpreter's run loop.
#include <gtest/gtest.h>

#include <algorithm>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"
#include "testing.h"

using namespace facekit;
using namespace facekit::nn;

namespace {

using facekit::testing::error_of;

// y = relu(x + c), with c a constant.
Graph add_relu_graph() {
  Graph g;
  g.name = "add_relu";
  const int x = g.add_value("x", DType::kFloat32, {-1, 3});
  const int c = g.add_constant("c", Tensor::from_floats({3}, {1, -2, 3}));
  const int s = g.add_value("s");
  const int y = g.add_value("y");
  g.add_node("Add", {x, c}, {s});
  g.add_node("Relu", {s}, {y});
  g.inputs = {x};
  g.outputs = {y};
  return g;
}

}  // namespace

TEST(Graph, InfersShapesWithUnknownBatch) {
  Graph g = add_relu_graph();
  g.finalize();
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{-1, 3}));
  const auto shapes = g.infer_shapes({{4, 3}});
  EXPECT_EQ(shapes[g.outputs[0]], (Shape{4, 3}));
}

TEST(Graph, SortsNodesGivenOutOfOrder) {
  Graph g = add_relu_graph();
  std::swap(g.nodes[0], g.nodes[1]);
  g.finalize();
  EXPECT_EQ(g.nodes[0].op, "Add");
  auto ex = make_executor("reference", g);
  const auto out = ex->run({Tensor::from_floats({2, 3}, {0, 0, 0, -5, 5, -5})});
  EXPECT_EQ(out[0].to_floats(), (std::vector<float>{1, 0, 3, 0, 3, 0}));
}

TEST(Graph, RejectsCycles) {
  Graph g;
  g.name = "cyclic";
  const int x = g.add_value("x", DType::kFloat32, {2});
  const int a = g.add_value("a"), b = g.add_value("b");
  g.add_node("Add", {x, b}, {a});
  g.add_node("Relu", {a}, {b});
  g.inputs = {x};
  g.outputs = {b};
  const std::string msg = error_of([&] { g.finalize(); });
  EXPECT_NE(msg.find("cyclic"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
}

TEST(Graph, RejectsValuesProducedTwiceOrNever) {
  Graph g = add_relu_graph();
  g.add_node("Relu", {0}, {g.outputs[0]});
  EXPECT_NE(error_of([&] { g.finalize(); }).find("more than once"), std::string::npos);

  Graph h = add_relu_graph();
  const int orphan = h.add_value("orphan");
  h.nodes[1].inputs = {orphan};
  EXPECT_NE(error_of([&] { h.finalize(); }).find("produced by nothing"), std::string::npos);
}

TEST(Graph, RejectsUnknownOperatorsAndBadIds) {
  Graph g = add_relu_graph();
  g.nodes[1].op = "FancyOp";
  EXPECT_NE(error_of([&] { g.finalize(); }).find("FancyOp"), std::string::npos);
  Graph h = add_relu_graph();
  h.nodes[0].inputs[1] = 999;
  EXPECT_NE(error_of([&] { h.finalize(); }).find("out of range"), std::string::npos);
}

TEST(Graph, ShapeErrorsNameTheNode) {
  Graph g = add_relu_graph();
  g.values[1].constant = Tensor::from_floats({4}, {1, 2, 3, 4});  // cannot broadcast with [-1, 3]
  g.values[1].shape = {4};
  const std::string msg = error_of([&] { g.finalize(); });
  EXPECT_NE(msg.find("add_relu"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Add"), std::string::npos) << msg;
}

TEST(Graph, FoldsConstantSubgraphs) {
  Graph g;
  g.name = "fold";
  const int x = g.add_value("x", DType::kFloat32, {3});
  const int c = g.add_constant("c", Tensor::from_floats({3}, {-1, 2, -3}));
  const int rc = g.add_value("rc"), y = g.add_value("y");
  g.add_node("Relu", {c}, {rc});  // constant: folded at load
  g.add_node("Mul", {x, rc}, {y});
  g.inputs = {x};
  g.outputs = {y};
  g.finalize();
  g.fold_constants();
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Mul");
  const int folded = g.find("rc");
  ASSERT_GE(folded, 0);
  EXPECT_EQ(g.values[folded].constant->to_floats(), (std::vector<float>{0, 2, 0}));
  auto out = make_executor("reference", g)->run({Tensor::from_floats({3}, {5, 5, 5})});
  EXPECT_EQ(out[0].to_floats(), (std::vector<float>{0, 10, 0}));
}

// A hostile file can describe a constant subgraph whose folded result is
// enormous (here a 1-element tensor padded to 2^27 floats, 512 MiB): loading
// must fail with an error naming the node, not allocate it.
TEST(Graph, RefusesToFoldHugeConstants) {
  Graph g;
  g.name = "hostile";
  const int x = g.add_value("x", DType::kFloat32, {1});
  const int c = g.add_constant("c", Tensor::from_floats({1}, {1}));
  const int big = g.add_value("big"), y = g.add_value("y");
  Attributes pads;
  pads.set("pads", std::vector<int64_t>{0, int64_t{1} << 27});
  g.add_node("Pad", {c}, {big}, pads, "inflate");
  g.add_node("Mul", {x, big}, {y});
  g.inputs = {x};
  g.outputs = {y};
  g.finalize();
  const std::string msg = error_of([&] { g.fold_constants(); });
  EXPECT_NE(msg.find("inflate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("MiB"), std::string::npos) << msg;
}

TEST(Tensor, AcceptsEmptyValueLists) {
  EXPECT_EQ(Tensor::from_floats({0, 3}, {}).numel(), 0);
  EXPECT_EQ(Tensor::from_ints({0}, {}).numel(), 0);
}

// Large buffers are pooled for reuse between runs; a reused one must still
// come back zeroed, and must not be shared with a live tensor.
TEST(Tensor, ReusedBuffersAreZeroed) {
  const Shape shape{256, 1024};  // 1 MiB: pooled
  const void* first = nullptr;
  {
    Tensor t(DType::kFloat32, shape);
    first = t.raw();
    std::fill(t.data<float>(), t.data<float>() + t.numel(), 7.f);
  }
  Tensor a(DType::kFloat32, shape), b(DType::kFloat32, shape);
  EXPECT_NE(a.raw(), b.raw());
  // AddressSanitizer builds do not pool (GCC and Clang announce ASan differently).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FACEKIT_TEST_ASAN 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(FACEKIT_TEST_ASAN)
  EXPECT_TRUE(a.raw() == first || b.raw() == first) << "the freed buffer was not reused";
#else
  (void)first;
#endif
  for (const Tensor* t : {&a, &b})
    EXPECT_TRUE(std::all_of(t->data<float>(), t->data<float>() + t->numel(), [](float v) { return v == 0.f; }));
}

TEST(Graph, InternalValuesCanBecomeOutputs) {
  Graph g = add_relu_graph();
  g.finalize();
  g.fold_constants();
  g.set_outputs({"s", "y"});
  auto out = make_executor("reference", g)->run({Tensor::from_floats({1, 3}, {0, 0, 0})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].to_floats(), (std::vector<float>{1, -2, 3}));
  EXPECT_NE(error_of([&] { g.set_outputs({"nope"}); }).find("nope"), std::string::npos);
}

TEST(Executor, ChecksInputs) {
  Graph g = add_relu_graph();
  g.finalize();
  auto ex = make_executor("reference", g);
  EXPECT_NE(error_of([&] { ex->run({}); }).find("expects 1 inputs"), std::string::npos);
  EXPECT_NE(error_of([&] { ex->run({Tensor::from_ints({1, 3}, {1, 2, 3})}); }).find("int32"), std::string::npos);
  EXPECT_NE(error_of([&] { ex->run({Tensor::from_floats({3}, {1, 2, 3})}); }).find("shape"), std::string::npos);
  EXPECT_NE(error_of([&] { make_executor("turbo", g); }).find("turbo"), std::string::npos);
}

TEST(Tensor, GuardsAgainstAbsurdShapes) {
  EXPECT_THROW(Tensor(DType::kFloat32, {1 << 20, 1 << 20, 1 << 10}), Error);
  EXPECT_THROW(Tensor(DType::kFloat32, {-1, 3}), Error);
  EXPECT_THROW(Tensor::from_floats({2}, {1, 2, 3}), Error);
  EXPECT_THROW(Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6}).reshaped({4, 2}), Error);
}
