// Broken and hostile TF.js models: each must be a facekit::Error that names
// the model file, never a crash or an absurd allocation.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "nn/tfjs/weights.h"

namespace facekit::nn {
namespace {

namespace fs = std::filesystem;

class TfjsHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("facekit_tfjs_hostile_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
    // Two float32 weights [2,2]: 1 2 3 4.
    std::string bin;
    for (float v : {1.0f, 2.0f, 3.0f, 4.0f}) bin.append(reinterpret_cast<const char*>(&v), 4);
    write("w.bin", bin);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  // A model y = x · w with the given nodes and manifest; returns its path.
  std::string model(const std::string& nodes, const std::string& manifest = kManifest) const {
    const std::string path = (dir_ / "model.json").string();
    write("model.json", R"({"format": "graph-model", "modelTopology": {"node": [)" + nodes +
                            R"(]}, "weightsManifest": )" + manifest + "}");
    return path;
  }
  // Expects load_tfjs_graph to throw Error naming the file and `reason`.
  static void expect_error(const std::string& path, const std::string& reason) {
    try {
      load_tfjs_graph(path);
      ADD_FAILURE() << "no error for " << reason;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path), std::string::npos) << what;
      EXPECT_NE(what.find(reason), std::string::npos) << what;
    }
  }

  static constexpr const char* kManifest =
      R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [2, 2], "dtype": "float32"}]}])";
  static constexpr const char* kGood =
      R"({"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
           "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "2"}]}}}},
         {"name": "w", "op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}}},
         {"name": "y", "op": "MatMul", "input": ["x", "w:0", "^x"], "attr": {"transpose_a": {"b": false}}})";
  fs::path dir_;
};

TEST_F(TfjsHostile, TheBaseModelLoads) {
  const Graph g = load_tfjs_graph(model(kGood));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{-1, 2}));
}

TEST_F(TfjsHostile, MissingShard) {
  expect_error(model(kGood, R"([{"paths": ["nope.bin"], "weights": [{"name": "w", "shape": [2, 2], "dtype": "float32"}]}])"),
               "nope.bin");
}

TEST_F(TfjsHostile, ShortShard) {
  write("short.bin", "abc");
  expect_error(model(kGood, R"([{"paths": ["short.bin"], "weights": [{"name": "w", "shape": [2, 2], "dtype": "float32"}]}])"),
               "needs 16 bytes");
}

TEST_F(TfjsHostile, ShapeLargerThanTheData) {
  expect_error(model(kGood, R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [2, 3], "dtype": "float32"}]}])"),
               "needs 24 bytes");
  // An absurd shape is refused before anything is allocated.
  expect_error(model(kGood, R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [100000, 100000, 100000], "dtype": "float32"}]}])"),
               "weight 'w'");
}

TEST_F(TfjsHostile, UnknownDtype) {
  expect_error(model(kGood, R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [2, 2], "dtype": "complex64"}]}])"),
               "complex64");
  expect_error(model(kGood, R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [2, 2], "dtype": "float32",
                                  "quantization": {"dtype": "int4"}}]}])"),
               "int4");
}

TEST_F(TfjsHostile, ShardOutsideTheModelDirectory) {
  expect_error(model(kGood, R"([{"paths": ["../w.bin"], "weights": []}])"), "leaves the model directory");
}

TEST_F(TfjsHostile, UnknownOp) {
  expect_error(model(std::string(kGood) + R"(, {"name": "z", "op": "FancyOp", "input": ["y"]})"), "FancyOp");
}

TEST_F(TfjsHostile, InputNamesAMissingNode) {
  expect_error(model(std::string(kGood) + R"(, {"name": "z", "op": "Relu", "input": ["ghost:0"]})"), "ghost");
}

TEST_F(TfjsHostile, Cycle) {
  expect_error(model(std::string(kGood) + R"(, {"name": "a", "op": "Relu", "input": ["b"]},
                                             {"name": "b", "op": "Relu", "input": ["a"]})"),
               "cycle");
}

TEST_F(TfjsHostile, MalformedJson) {
  write("model.json", R"({"modelTopology": {"node": [ {"name": "x", )");
  expect_error((dir_ / "model.json").string(), "malformed JSON");
  write("model.json", R"([1, 2, 3])");
  expect_error((dir_ / "model.json").string(), "modelTopology");
  write("model.json", R"({"modelTopology": {"node": [{"name": 5, "op": "Relu"}]}})");
  expect_error((dir_ / "model.json").string(), "no name or op");
}

TEST_F(TfjsHostile, BadAttributes) {
  expect_error(model(R"({"name": "x", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": [{"size": "two"}]}}}})"),
               "integer expected");
  expect_error(model(std::string(kGood) + R"(, {"name": "z", "op": "MaxPool", "input": ["y"],
                                             "attr": {"ksize": {"list": {"i": ["1", "2"]}}}})"),
               "ksize");
  expect_error(model(std::string(kGood) + R"(, {"name": "z", "op": "Squeeze", "input": ["y"],
                                             "attr": {"squeeze_dims": {"list": {"i": ["7"]}}}})"),
               "axis 7");
}

TEST_F(TfjsHostile, MissingFile) { expect_error((dir_ / "absent.json").string(), "cannot open"); }

TEST_F(TfjsHostile, ReadWeightsNamesItsContext) {
  const auto manifest = nlohmann::json::parse(
      R"([{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [-3], "dtype": "float32"}]}])");
  EXPECT_THROW(tfjs::read_weights(manifest, dir_, "the manifest"), Error);
  try {
    tfjs::read_weights(nlohmann::json::parse(R"([{"paths": ["w.bin"], "weights": [{"name": "w",
                           "shape": [4294967296, 4294967296], "dtype": "float32"}]}])"),
                       dir_, "the manifest");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the manifest"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace facekit::nn
