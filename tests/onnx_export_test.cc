// export_onnx round trip: a graph written as ONNX and read back gives the
// same outputs as the original (reference executor), and the file passes
// ONNX's own model checker.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;
using nn::Attributes;
using nn::DType;
using nn::Graph;
using nn::Tensor;

// Deterministic values in [-1, 1).
Tensor random_tensor(nn::Shape shape, uint32_t seed) {
  Tensor t(DType::kFloat32, std::move(shape));
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<float>()[i] = static_cast<float>(s >> 8) / float(1 << 23) - 1.f;
  }
  return t;
}

Attributes attrs(std::initializer_list<std::pair<const char*, nn::AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

using I = std::vector<int64_t>;

// A small NHWC network touching every wrapped operator and fused activation.
Graph nhwc_network() {
  Graph g;
  g.name = "nhwc_network";
  const int x = g.add_value("image", DType::kFloat32, {1, 8, 8, 3});
  g.inputs = {x};
  auto value = [&](const char* name) { return g.add_value(name); };
  const int c1 = value("conv1");
  g.add_node("Conv", {x, g.add_constant("w1", random_tensor({4, 3, 3, 3}, 1)), g.add_constant("b1", random_tensor({4}, 2))},
             {c1}, attrs({{"auto_pad", std::string("SAME_UPPER")}, {"activation", std::string("Relu6")}}));
  const int c2 = value("dwconv");
  g.add_node("Conv", {c1, g.add_constant("w2", random_tensor({4, 3, 3, 1}, 3)), -1, g.add_constant("slope", random_tensor({4}, 4))},
             {c2}, attrs({{"group", int64_t{4}}, {"strides", I{2, 2}}, {"pads", I{0, 0, 1, 1}}, {"activation", std::string("Prelu")}}));
  const int p1 = value("maxpool");
  g.add_node("MaxPool", {c2}, {p1}, attrs({{"kernel", I{2, 2}}, {"strides", I{1, 1}}, {"auto_pad", std::string("SAME_UPPER")}}));
  const int p2 = value("avgpool");
  g.add_node("AveragePool", {p1}, {p2}, attrs({{"kernel", I{3, 3}}, {"pads", I{1, 1, 1, 1}}}));
  const int r = value("resize");
  g.add_node("Resize", {p2}, {r}, attrs({{"mode", std::string("linear")}, {"size", I{6, 6}}}));
  const int d = value("d2s");
  g.add_node("DepthToSpace", {r}, {d}, attrs({{"blocksize", int64_t{2}}}));
  const int f = value("flat");
  g.add_node("Reshape", {d}, {f}, attrs({{"shape", I{1, -1}}}));
  const int fc = value("fc");
  g.add_node("Dense", {f, g.add_constant("wfc", random_tensor({5, 144}, 5)), g.add_constant("bfc", random_tensor({5}, 6))},
             {fc}, attrs({{"activation", std::string("LeakyRelu")}, {"alpha", 0.1}}));
  const int y = value("prob");
  g.add_node("Softmax", {fc}, {y});
  g.outputs = {y, c2};
  return g;
}

// Element-wise, shape and reduction operators, an NCHW convolution and a
// rank-3 Dense (exported as MatMul + Add).
Graph mixed_network() {
  Graph g;
  g.name = "mixed_network";
  const int x = g.add_value("x", DType::kFloat32, {2, 4, 5, 5});
  g.inputs = {x};
  auto value = [&](const char* name) { return g.add_value(name); };
  const int c = value("conv_nchw");
  g.add_node("Conv", {x, g.add_constant("w", random_tensor({6, 3, 3, 2}, 7)), g.add_constant("b", random_tensor({6}, 8)),
                      g.add_constant("a", random_tensor({6}, 9))},
             {c}, attrs({{"layout", std::string("NCHW")}, {"group", int64_t{2}}, {"activation", std::string("Prelu")}}));
  const int sq = value("square");
  g.add_node("Square", {c}, {sq});
  const int sq1 = value("square_plus_one");
  g.add_node("Add", {sq, g.add_constant("one", Tensor::scalar(1.f))}, {sq1});
  const int rs = value("rsqrt");
  g.add_node("Rsqrt", {sq1}, {rs});
  const int cl = value("clip");
  g.add_node("Clip", {rs}, {cl}, attrs({{"min", 0.2}, {"max", 0.9}}));
  const int sl = value("slice");
  g.add_node("Slice", {cl}, {sl}, attrs({{"starts", I{1, 0}}, {"ends", I{int64_t{1} << 62, -1}}, {"axes", I{1, 3}}, {"steps", I{1, 1}}}));
  const int pd = value("pad");
  g.add_node("Pad", {sl}, {pd}, attrs({{"pads", I{0, 0, 1, 0, 0, 0, 0, 1}}, {"value", 0.5}}));
  const int tr = value("transpose");
  g.add_node("Transpose", {pd}, {tr}, attrs({{"perm", I{0, 2, 3, 1}}}));
  const int rm = value("mean");
  g.add_node("ReduceMean", {tr}, {rm}, attrs({{"axes", I{1}}, {"keepdims", int64_t{0}}}));
  const int dn = value("dense3d");
  g.add_node("Dense", {rm, g.add_constant("wd", random_tensor({3, 5}, 10)), g.add_constant("bd", random_tensor({3}, 11))}, {dn},
             attrs({{"activation", std::string("Sigmoid")}}));
  const int cat = value("concat");
  g.add_node("Concat", {dn, dn}, {cat}, attrs({{"axis", int64_t{-1}}}));
  const int less = value("less");
  g.add_node("Less", {cat, g.add_constant("half", Tensor::scalar(0.5f))}, {less});
  const int lf = value("less_f");
  g.add_node("Cast", {less}, {lf}, attrs({{"to", std::string("float32")}}));
  const int sum = value("sum");
  g.add_node("ReduceSum", {lf}, {sum}, attrs({{"axes", I{}}, {"keepdims", int64_t{1}}}));
  const int shp = value("shape");
  g.add_node("Shape", {cat}, {shp});
  g.outputs = {cat, sum, shp};
  return g;
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("facekit_onnx_export_" + name + "_" + std::to_string(::getpid()) + ".onnx")).string();
}

void expect_round_trip(Graph g, const std::vector<Tensor>& inputs) {
  g.finalize();
  const auto want = nn::make_executor("reference", g)->run(inputs);
  const std::string path = temp_path(g.name);
  nn::export_onnx(g, path);
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    onnx::ModelProto model;
    ASSERT_TRUE(model.ParseFromString(bytes.str()));
    EXPECT_NO_THROW(onnx::checker::check_model(model)) << "the ONNX checker rejects " << path;
  }
  const Graph back = nn::load_onnx(path);
  const auto got = nn::make_executor("reference", back)->run(inputs);
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    SCOPED_TRACE("output " + std::to_string(k));
    EXPECT_LE(testing::relative_max_error(got[k], want[k]), 1e-5);
  }
  fs::remove(path);
}

TEST(OnnxExport, NhwcNetworkRoundTrips) { expect_round_trip(nhwc_network(), {random_tensor({1, 8, 8, 3}, 42)}); }

TEST(OnnxExport, MixedNetworkRoundTrips) { expect_round_trip(mixed_network(), {random_tensor({2, 4, 5, 5}, 43)}); }

// Writes <dir>/<name>.onnx plus a golden case (<name>.json/.bin, float32
// input, facekit's reference outputs) for tools/oracle/ort_compare.mjs.
void write_ort_case(const fs::path& dir, Graph g, const Tensor& input) {
  g.finalize();
  const auto outputs = nn::make_executor("reference", g)->run({input});
  nn::export_onnx(g, (dir / (g.name + ".onnx")).string());
  std::ofstream bin(dir / (g.name + ".bin"), std::ios::binary);
  std::ostringstream json;
  auto shape_json = [](const nn::Shape& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
    return out + "]";
  };
  size_t offset = 0;
  auto put = [&](const Tensor& t) {
    const auto f = t.to_floats();
    bin.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size() * 4));
    const std::string entry = "{\"shape\": " + shape_json(t.shape()) + ", \"dtype\": \"float32\", \"offset\": " + std::to_string(offset) + "}";
    offset += f.size() * 4;
    return entry;
  };
  json << "{\"inputs\": [" << put(input) << "], \"outputs\": [";
  for (size_t k = 0; k < outputs.size(); ++k) json << (k ? ", " : "") << put(outputs[k]);
  json << "]}\n";
  std::ofstream(dir / (g.name + ".json")) << json.str();
}

// ONNX Runtime (tools/oracle/ort_compare.mjs) runs both exports and must give
// facekit's reference outputs. Set FACEKIT_ORT_CASES to a folder to keep the
// cases (<name>.onnx/.json/.bin) for running the script by hand.
TEST(OnnxExport, OnnxRuntimeGivesTheReferenceOutputs) {
  if (const auto why = testing::onnx_runtime_unavailable()) GTEST_SKIP() << *why;
  const char* keep = std::getenv("FACEKIT_ORT_CASES");
  const fs::path dir = keep && *keep ? fs::path(keep) : fs::temp_directory_path() / ("facekit_ort_cases_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_ort_case(dir, nhwc_network(), random_tensor({1, 8, 8, 3}, 42));
  write_ort_case(dir, mixed_network(), random_tensor({2, 4, 5, 5}, 43));
  for (const char* name : {"nhwc_network", "mixed_network"}) {
    const auto result = testing::compare_with_onnx_runtime(dir / (std::string(name) + ".onnx"), dir / (std::string(name) + ".json"));
    EXPECT_TRUE(result.ok) << name << ":\n" << result.report;
  }
  if (!keep || !*keep) fs::remove_all(dir);
}

TEST(OnnxExport, UnknownOperatorNamesTheNode) {
  Graph g;
  g.name = "g";
  const int x = g.add_value("x", DType::kFloat32, {1});
  const int y = g.add_value("y");
  g.inputs = {x};
  g.add_node("Relu", {x}, {y}, {}, "my_relu");
  g.outputs = {y};
  g.finalize();
  g.nodes[0].op = "NoSuchOp";
  try {
    nn::export_onnx(g, temp_path("bad"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("my_relu"), std::string::npos) << e.what();
  }
  fs::remove(temp_path("bad"));
}

}  // namespace
}  // namespace facekit
