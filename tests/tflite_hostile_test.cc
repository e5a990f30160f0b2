// The TFLite loader against hand-built and damaged files: every bad input
// must raise facekit::Error naming the file, never crash or allocate wildly.
// Small valid models built here also pin down load-time DENSIFY/DEQUANTIZE.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "nn/tflite/schema_generated.h"
#include "testing.h"

namespace facekit::nn {
namespace {

namespace fb = flatbuffers;

constexpr int32_t kAdd = 0, kDequantize = 6, kPad = 34, kDensify = 124;

// Builds a one-subgraph TFLite model piece by piece. Buffer 0 is the empty
// sentinel, as converters write it.
class ModelBuilder {
 public:
  ModelBuilder() { buffers_.push_back(tflite::CreateBuffer(fbb_)); }

  uint32_t buffer(const std::vector<uint8_t>& bytes) {
    buffers_.push_back(tflite::CreateBuffer(fbb_, fbb_.CreateVector(bytes)));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }
  template <class T> uint32_t buffer_of(const std::vector<T>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return buffer(bytes);
  }
  uint32_t huge_buffer_reference() {
    buffers_.push_back(tflite::CreateBuffer(fbb_, 0, /*offset=*/1ull << 40, /*size=*/1ull << 40));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }

  int tensor(const std::string& name, const std::vector<int32_t>& shape,
             tflite::TensorType type = tflite::TensorType_FLOAT32, uint32_t buffer = 0,
             fb::Offset<tflite::SparsityParameters> sparsity = 0) {
    tensors_.push_back(tflite::CreateTensor(fbb_, fbb_.CreateVector(shape), type, buffer, fbb_.CreateString(name),
                                            0, false, sparsity));
    return static_cast<int>(tensors_.size() - 1);
  }

  // CSR sparsity on the last of two dimensions (dense rows).
  fb::Offset<tflite::SparsityParameters> csr_rows(int32_t rows, const std::vector<int32_t>& segments,
                                                  const std::vector<int32_t>& indices) {
    auto seg = tflite::CreateInt32Vector(fbb_, fbb_.CreateVector(segments));
    auto idx = tflite::CreateInt32Vector(fbb_, fbb_.CreateVector(indices));
    std::vector<fb::Offset<tflite::DimensionMetadata>> dims = {
        tflite::CreateDimensionMetadata(fbb_, tflite::DimensionType_DENSE, rows),
        tflite::CreateDimensionMetadata(fbb_, tflite::DimensionType_SPARSE_CSR, 0,
                                        tflite::SparseIndexVector_Int32Vector, seg.Union(),
                                        tflite::SparseIndexVector_Int32Vector, idx.Union())};
    return tflite::CreateSparsityParameters(fbb_, fbb_.CreateVector(std::vector<int32_t>{0, 1}), 0,
                                            fbb_.CreateVector(dims));
  }

  void op(int32_t builtin, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs) {
    uint32_t code = 0;
    while (code < codes_seen_.size() && codes_seen_[code] != builtin) ++code;
    if (code == codes_seen_.size()) {
      codes_seen_.push_back(builtin);
      codes_.push_back(tflite::CreateOperatorCode(fbb_, static_cast<int8_t>(std::min(builtin, 127)), 0, 1, builtin));
    }
    auto options = builtin == kAdd ? tflite::CreateAddOptions(fbb_).Union() : fb::Offset<void>();
    ops_.push_back(tflite::CreateOperator(fbb_, code, fbb_.CreateVector(inputs), fbb_.CreateVector(outputs),
                                          builtin == kAdd ? tflite::BuiltinOptions_AddOptions
                                                          : tflite::BuiltinOptions_NONE,
                                          options));
  }

  std::vector<uint8_t> finish(const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs) {
    auto subgraph = tflite::CreateSubGraph(fbb_, fbb_.CreateVector(tensors_), fbb_.CreateVector(inputs),
                                           fbb_.CreateVector(outputs), fbb_.CreateVector(ops_));
    auto model = tflite::CreateModel(fbb_, 3, fbb_.CreateVector(codes_),
                                     fbb_.CreateVector(std::vector<fb::Offset<tflite::SubGraph>>{subgraph}), 0,
                                     fbb_.CreateVector(buffers_));
    tflite::FinishModelBuffer(fbb_, model);
    return {fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize()};
  }

 private:
  fb::FlatBufferBuilder fbb_;
  std::vector<fb::Offset<tflite::Buffer>> buffers_;
  std::vector<fb::Offset<tflite::Tensor>> tensors_;
  std::vector<fb::Offset<tflite::Operator>> ops_;
  std::vector<fb::Offset<tflite::OperatorCode>> codes_;
  std::vector<int32_t> codes_seen_;
};

const std::string kName = "tiny.tflite";

Graph load(const std::vector<uint8_t>& bytes) { return load_tflite_bytes(kName, bytes.data(), bytes.size()); }

// Loads `bytes` expecting facekit::Error whose message names the file and
// contains `reason` (when given).
void expect_error(const std::vector<uint8_t>& bytes, const std::string& reason = "") {
  try {
    load(bytes);
    ADD_FAILURE() << "expected an Error (" << reason << ")";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(kName), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what;
  }
}

// Loading either succeeds or raises an Error naming the file.
void expect_load_or_error(const std::string& name, const uint8_t* data, size_t size) {
  try {
    load_tflite_bytes(name, data, size);
  } catch (const Error& e) {
    ASSERT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// input [2,3] + DEQUANTIZE(DENSIFY(sparse f16 [2,3])).
std::vector<uint8_t> sparse_add_model(const std::vector<int32_t>& segments, const std::vector<int32_t>& indices,
                                      const std::vector<uint16_t>& halves) {
  ModelBuilder b;
  const int x = b.tensor("x", {2, 3});
  const int sparse = b.tensor("w_sparse", {2, 3}, tflite::TensorType_FLOAT16, b.buffer_of(halves),
                              b.csr_rows(2, segments, indices));
  const int dense16 = b.tensor("w_f16", {2, 3}, tflite::TensorType_FLOAT16);
  const int w = b.tensor("w", {2, 3});
  const int y = b.tensor("y", {2, 3});
  b.op(kDensify, {sparse}, {dense16});
  b.op(kDequantize, {dense16}, {w});
  b.op(kAdd, {x, w}, {y});
  return b.finish({x}, {y});
}

TEST(TfliteTiny, DensifyAndDequantizeBecomeOneConstant) {
  // Rows [1, 0, 2] and [0, 3, 0]: half 1.0 = 0x3c00, 2.0 = 0x4000, 3.0 = 0x4200.
  const Graph g = load(sparse_add_model({0, 2, 3}, {0, 2, 1}, {0x3c00, 0x4000, 0x4200}));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Add");
  const int w = g.find("w");
  ASSERT_GE(w, 0);
  ASSERT_TRUE(g.values[w].constant);
  EXPECT_EQ(g.values[w].constant->to_floats(), (std::vector<float>{1, 0, 2, 0, 3, 0}));
  const auto out = make_executor("reference", g)->run({Tensor::from_floats({2, 3}, {10, 20, 30, 40, 50, 60})});
  EXPECT_EQ(out[0].to_floats(), (std::vector<float>{11, 20, 32, 40, 53, 60}));
}

TEST(TfliteHostile, SparseIndicesOutOfRange) {
  expect_error(sparse_add_model({0, 2, 3}, {0, 7, 1}, {0x3c00, 0x4000, 0x4200}), "sparse index out of range");
  expect_error(sparse_add_model({0, 2, 9}, {0, 2, 1}, {0x3c00, 0x4000, 0x4200}), "segments");
  expect_error(sparse_add_model({0, 2, 3}, {0, 2, 1}, {0x3c00, 0x4000}), "stored values");
  expect_error(sparse_add_model({0, 3, 0}, {0, 2, 1}, {0x3c00, 0x4000, 0x4200}), "segments");
}

TEST(TfliteHostile, EmptyFileNamesThePath) {
  const auto path = std::filesystem::temp_directory_path() / "facekit_empty_model.tflite";
  { std::ofstream(path, std::ios::binary); }
  try {
    load_tflite(path.string());
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  expect_error({}, "too small");
}

TEST(TfliteHostile, NotAFlatbuffer) {
  std::vector<uint8_t> junk(256, 0xff);
  expect_error(junk, "not a TFLite model");
  std::memcpy(junk.data() + 4, "TFL3", 4);
  expect_error(junk, "verification failed");
}

TEST(TfliteHostile, TruncatedRealModel) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "mtcnn-pnet");
  const auto bytes = read_file(path);
  ASSERT_GT(bytes.size(), 1000u);
  std::vector<size_t> cuts;
  for (size_t n = 0; n < 64; ++n) cuts.push_back(n);
  for (size_t k = 1; k < 200; ++k) cuts.push_back(bytes.size() * k / 200);
  for (size_t n = 1; n <= 16; ++n) cuts.push_back(bytes.size() - n);
  size_t loaded = 0;
  for (size_t n : cuts) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    try {
      load_tflite_bytes("pnet.tflite", cut.data(), cut.size());
      // Only trailing alignment padding may be cut without harm.
      EXPECT_GE(n, bytes.size() - 16) << "truncated at " << n << " loaded";
      ++loaded;
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find("pnet.tflite"), std::string::npos) << e.what();
    }
  }
  EXPECT_LT(loaded, 16u);
}

TEST(TfliteHostile, RandomByteFlips) {
  for (const char* id : {"mtcnn-pnet", "blazeface-full-sparse"}) {
    const auto path = testing::zoo_model(id);
    if (!path) GTEST_SKIP() << "model " << id << " not installed";
    const auto bytes = read_file(*path);
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
      auto damaged = bytes;
      const int flips = 1 + static_cast<int>(rng() % 8);
      // Half the rounds hit the first 4 KiB, where the tables often live.
      const size_t range = round % 2 ? damaged.size() : std::min<size_t>(4096, damaged.size());
      for (int f = 0; f < flips; ++f) damaged[rng() % range] ^= static_cast<uint8_t>(1u << (rng() % 8));
      expect_load_or_error(id, damaged.data(), damaged.size());
    }
  }
}

TEST(TfliteHostile, VectorLengthClaimingHugeSize) {
  ModelBuilder b;
  // A distinctive payload to find the length prefix of its vector.
  const std::vector<uint8_t> marker = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67};
  const int w = b.tensor("w", {2}, tflite::TensorType_FLOAT32, b.buffer(marker));
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(kAdd, {x, w}, {y});
  auto bytes = b.finish({x}, {y});
  auto it = std::search(bytes.begin(), bytes.end(), marker.begin(), marker.end());
  ASSERT_NE(it, bytes.end());
  const size_t at = static_cast<size_t>(it - bytes.begin()) - 4;
  const uint32_t huge = 0x7ffffff0u;
  std::memcpy(bytes.data() + at, &huge, 4);
  expect_error(bytes, "verification failed");
}

TEST(TfliteHostile, BufferStoredOutsideTheFile) {
  ModelBuilder b;
  const int w = b.tensor("w", {2}, tflite::TensorType_FLOAT32, b.huge_buffer_reference());
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(kAdd, {x, w}, {y});
  expect_error(b.finish({x}, {y}), "outside the flatbuffer");
}

TEST(TfliteHostile, BufferSizeDiffersFromShape) {
  ModelBuilder b;
  const int w = b.tensor("w", {1000, 1000}, tflite::TensorType_FLOAT32, b.buffer_of(std::vector<float>{1, 2}));
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(kAdd, {x, w}, {y});
  expect_error(b.finish({x}, {y}), "needs");
}

TEST(TfliteHostile, AbsurdShape) {
  ModelBuilder b;
  const int x = b.tensor("x", {1 << 20, 1 << 20, 1 << 20});
  const int y = b.tensor("y", {1});
  b.op(kAdd, {x, x}, {y});
  expect_error(b.finish({x}, {y}), "elements");
  ModelBuilder c;
  const int neg = c.tensor("x", {-5});
  c.op(kAdd, {neg, neg}, {neg});
  expect_error(c.finish({neg}, {neg}), "absurd dimension");
}

// PAD of a constant would be folded at load time: huge paddings must be
// refused before anything is allocated.
std::vector<uint8_t> padded_constant_model(int32_t after) {
  ModelBuilder b;
  const int c = b.tensor("c", {2}, tflite::TensorType_FLOAT32, b.buffer_of(std::vector<float>{1, 2}));
  const int p = b.tensor("p", {1, 2}, tflite::TensorType_INT32, b.buffer_of(std::vector<int32_t>{0, after}));
  const int padded = b.tensor("padded", {1});  // declared shapes of computed tensors are not trusted
  const int x = b.tensor("x", {1});
  const int y = b.tensor("y", {1});
  b.op(kPad, {c, p}, {padded});
  b.op(kAdd, {x, padded}, {y});
  return b.finish({x}, {y});
}

TEST(TfliteHostile, FoldingWouldAllocateTooMuch) {
  EXPECT_NO_THROW(load(padded_constant_model(6)));
  expect_error(padded_constant_model(200000000), "constant folding would allocate");
  expect_error(padded_constant_model(2000000000), "absurdly large");
}

TEST(TfliteHostile, OperatorReferencesMissingTensor) {
  ModelBuilder b;
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(kAdd, {x, 99}, {y});
  expect_error(b.finish({x}, {y}), "tensor index 99 out of range");
  ModelBuilder c;
  const int x2 = c.tensor("x", {2});
  c.op(kAdd, {x2, x2}, {-7});
  expect_error(c.finish({x2}, {x2}), "out of range");
}

TEST(TfliteHostile, UnknownOperator) {
  ModelBuilder b;
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(32, {x}, {y});  // CUSTOM
  expect_error(b.finish({x}, {y}), "unsupported builtin operator 32");
}

TEST(TfliteHostile, CyclicGraph) {
  ModelBuilder b;
  const int x = b.tensor("x", {2});
  const int a = b.tensor("a", {2});
  const int c = b.tensor("c", {2});
  b.op(kAdd, {x, c}, {a});
  b.op(kAdd, {x, a}, {c});
  expect_error(b.finish({x}, {c}), "cycle");
}

TEST(TfliteHostile, TensorWrittenTwice) {
  ModelBuilder b;
  const int x = b.tensor("x", {2});
  const int y = b.tensor("y", {2});
  b.op(kAdd, {x, x}, {y});
  b.op(kAdd, {x, x}, {y});
  expect_error(b.finish({x}, {y}), "more than once");
}

}  // namespace
}  // namespace facekit::nn
