// Hostile ONNX input: every malformed model is one facekit::Error naming the
// file and the reason — never a crash, a hang or an absurd allocation.
#include <string>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "facekit/error.h"
#include "facekit/nn/model.h"

namespace facekit {
namespace {

const char kName[] = "hostile.onnx";

// A valid model: y = Relu(x + bias), x [1, 4].
onnx::ModelProto valid_model() {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  auto* tt = x->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  auto* b = g->add_initializer();
  b->set_name("bias");
  b->set_data_type(onnx::TensorProto::FLOAT);
  b->add_dims(4);
  b->set_raw_data(std::string(16, '\0'));
  auto* add = g->add_node();
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("bias");
  add->add_output("s");
  auto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->add_input("s");
  relu->add_output("y");
  g->add_output()->set_name("y");
  return m;
}

// Loads `bytes` and returns the Error's message ("" when it loaded).
std::string load_error(const std::string& bytes) {
  try {
    nn::load_onnx_bytes(kName, bytes.data(), bytes.size());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const onnx::ModelProto& m) { return load_error(m.SerializeAsString()); }

#define EXPECT_ERROR_NAMING(message, reason)                                   \
  do {                                                                         \
    const std::string msg_ = (message);                                        \
    EXPECT_NE(msg_.find(kName), std::string::npos) << "got: '" << msg_ << "'"; \
    EXPECT_NE(msg_.find(reason), std::string::npos) << "got: '" << msg_ << "'"; \
  } while (0)

TEST(OnnxHostile, ValidModelLoads) { EXPECT_EQ(load_error(valid_model()), ""); }

TEST(OnnxHostile, GarbageBytes) {
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919u) >> 3);
  EXPECT_ERROR_NAMING(load_error(garbage), "");
  EXPECT_ERROR_NAMING(load_error(std::string()), "no graph");
}

TEST(OnnxHostile, TruncatedModel) {
  const std::string bytes = valid_model().SerializeAsString();
  for (size_t cut : {bytes.size() / 4, bytes.size() / 2, bytes.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    EXPECT_ERROR_NAMING(load_error(bytes.substr(0, cut)), "");
  }
}

TEST(OnnxHostile, InitializerShorterThanItsDims) {
  auto m = valid_model();
  m.mutable_graph()->mutable_initializer(0)->set_raw_data(std::string(8, '\0'));
  EXPECT_ERROR_NAMING(load_error(m), "claims 4 elements but holds 8 bytes");
}

TEST(OnnxHostile, AbsurdInitializerDims) {
  auto m = valid_model();
  auto* b = m.mutable_graph()->mutable_initializer(0);
  b->clear_dims();
  b->add_dims(int64_t{1} << 40);
  b->add_dims(int64_t{1} << 40);
  EXPECT_ERROR_NAMING(load_error(m), "bias");
  b->clear_dims();
  b->add_dims(int64_t{1} << 31);  // fits the element limit, not the data
  EXPECT_ERROR_NAMING(load_error(m), "claims 2147483648 elements");
  b->clear_dims();
  b->add_dims(-4);
  EXPECT_ERROR_NAMING(load_error(m), "negative");
}

TEST(OnnxHostile, AbsurdInputDimsDoNotAllocate) {
  auto m = valid_model();
  auto* shape = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->mutable_dim(0)->set_dim_value(int64_t{1} << 62);
  // Loading allocates nothing for inputs; shape inference may accept or reject.
  const std::string msg = load_error(m);
  if (!msg.empty()) EXPECT_ERROR_NAMING(msg, "");
}

TEST(OnnxHostile, UndefinedInput) {
  auto m = valid_model();
  m.mutable_graph()->mutable_node(1)->set_input(0, "nowhere");
  EXPECT_ERROR_NAMING(load_error(m), "'nowhere' is undefined");
}

TEST(OnnxHostile, Cycle) {
  auto m = valid_model();
  // s = Add(x, y); y = Relu(s): each node needs the other's output.
  m.mutable_graph()->mutable_node(0)->set_input(1, "y");
  EXPECT_ERROR_NAMING(load_error(m), "undefined (or the graph is not topologically sorted)");
}

TEST(OnnxHostile, ValueDefinedTwice) {
  auto m = valid_model();
  m.mutable_graph()->mutable_node(1)->set_output(0, "s");
  EXPECT_ERROR_NAMING(load_error(m), "defined more than once");
}

TEST(OnnxHostile, UnsupportedOperatorAndDomain) {
  auto m = valid_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("NonMaxSuppression");
  EXPECT_ERROR_NAMING(load_error(m), "unsupported ONNX operator 'NonMaxSuppression'");
  m = valid_model();
  m.mutable_graph()->mutable_node(1)->set_domain("com.microsoft");
  EXPECT_ERROR_NAMING(load_error(m), "com.microsoft");
}

TEST(OnnxHostile, MissingOutputAndOpset) {
  auto m = valid_model();
  m.mutable_graph()->mutable_output(0)->set_name("ghost");
  EXPECT_ERROR_NAMING(load_error(m), "'ghost' is produced by no node");
  m = valid_model();
  m.clear_opset_import();
  EXPECT_ERROR_NAMING(load_error(m), "operator set");
}

TEST(OnnxHostile, Int64OutsideInt32Range) {
  auto m = valid_model();
  auto* b = m.mutable_graph()->mutable_initializer(0);
  b->set_data_type(onnx::TensorProto::INT64);
  b->clear_raw_data();
  for (int i = 0; i < 4; ++i) b->add_int64_data(int64_t{1} << 40);
  EXPECT_ERROR_NAMING(load_error(m), "int32 range");
}

TEST(OnnxHostile, UnsupportedTypesAndExternalData) {
  auto m = valid_model();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::DOUBLE);
  EXPECT_ERROR_NAMING(load_error(m), "DOUBLE");
  m = valid_model();
  auto* b = m.mutable_graph()->mutable_initializer(0);
  b->set_data_location(onnx::TensorProto::EXTERNAL);
  EXPECT_ERROR_NAMING(load_error(m), "external");
}

TEST(OnnxHostile, HugeConstantExpressionIsRefused) {
  // Pad a constant out to 2^40 elements: evaluating it at load would be an
  // absurd allocation.
  auto m = valid_model();
  auto* g = m.mutable_graph();
  auto* pads = g->add_initializer();
  pads->set_name("pads");
  pads->set_data_type(onnx::TensorProto::INT64);
  pads->add_dims(2);
  pads->add_int64_data(0);
  pads->add_int64_data(int64_t{1} << 40);
  auto* pad = g->add_node();
  pad->set_op_type("Pad");
  pad->add_input("bias");
  pad->add_input("pads");
  pad->add_output("big");
  g->mutable_output(0)->set_name("big");
  EXPECT_ERROR_NAMING(load_error(m), "");
}

TEST(OnnxHostile, MissingFileNamesThePath) {
  try {
    nn::load_onnx("/nonexistent/dir/model.onnx");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.onnx"), std::string::npos);
  }
}

}  // namespace
}  // namespace facekit
