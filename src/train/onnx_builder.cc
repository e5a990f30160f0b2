#include "train/onnx_builder.h"

#include <fstream>

#include <onnx/onnx_pb.h>

#include "facekit/error.h"

namespace facekit::train {

namespace {

constexpr int64_t kOpset = 13;
constexpr int64_t kIrVersion = 7;  // the IR version of opset 13

onnx::NodeProto& latest_node(onnx::ModelProto& model) {
  auto* nodes = model.mutable_graph()->mutable_node();
  check(!nodes->empty(), "ONNX builder", "an attribute needs a node to go on");
  return *nodes->rbegin();
}

}  // namespace

OnnxBuilder::OnnxBuilder() : model_(std::make_unique<onnx::ModelProto>()) {
  model_->set_ir_version(kIrVersion);
  model_->set_producer_name("facekit-train");
  auto* opset = model_->add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  model_->mutable_graph()->set_name("facekit_train");
}

OnnxBuilder::~OnnxBuilder() = default;

std::string OnnxBuilder::unique_name(const std::string& hint) {
  if (taken_.insert(hint).second) return hint;
  for (;;) {
    std::string name = hint + "_" + std::to_string(next_id_++);
    if (taken_.insert(name).second) return name;
  }
}

std::string OnnxBuilder::add_input(const std::string& name, int channels, int size) {
  return add_input_of(name, {channels, size, size});
}

std::string OnnxBuilder::add_vector_input(const std::string& name, int length) { return add_input_of(name, {length}); }

std::string OnnxBuilder::add_input_of(const std::string& name, const std::vector<int64_t>& dims) {
  const std::string unique = unique_name(name);
  auto* input = model_->mutable_graph()->add_input();
  input->set_name(unique);
  auto* tensor = input->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  return unique;
}

void OnnxBuilder::add_output(const std::string& name, const std::vector<int64_t>& shape) {
  check(taken_.count(name) != 0, "ONNX builder", "output '" + name + "' is no value of the graph");
  auto* output = model_->mutable_graph()->add_output();
  output->set_name(name);
  auto* tensor = output->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* dims = tensor->mutable_shape();
  for (int64_t d : shape) {
    auto* dim = dims->add_dim();
    if (d >= 0) dim->set_dim_value(d);
    else dim->set_dim_param("N");
  }
}

std::string OnnxBuilder::add_initializer(const std::string& hint, const torch::Tensor& value) {
  const torch::Tensor t = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const std::string name = unique_name(hint);
  auto* init = model_->mutable_graph()->add_initializer();
  init->set_name(name);
  init->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : t.sizes()) init->add_dims(d);
  init->set_raw_data(t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  return name;
}

std::string OnnxBuilder::add_node(const std::string& op, const std::vector<std::string>& inputs,
                                  const std::string& output_hint) {
  for (const auto& in : inputs)
    check(taken_.count(in) != 0, "ONNX builder", op + " reads '" + in + "', no value of the graph");
  const std::string output = unique_name(output_hint);
  auto* node = model_->mutable_graph()->add_node();
  node->set_op_type(op);
  node->set_name(output);
  for (const auto& in : inputs) node->add_input(in);
  node->add_output(output);
  return output;
}

void OnnxBuilder::set_int(const std::string& attribute, int64_t value) {
  auto* a = latest_node(*model_).add_attribute();
  a->set_name(attribute);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void OnnxBuilder::set_float(const std::string& attribute, float value) {
  auto* a = latest_node(*model_).add_attribute();
  a->set_name(attribute);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void OnnxBuilder::set_ints(const std::string& attribute, const std::vector<int64_t>& values) {
  auto* a = latest_node(*model_).add_attribute();
  a->set_name(attribute);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void OnnxBuilder::set_metadata(const std::string& key, const std::string& value) {
  for (auto& prop : *model_->mutable_metadata_props()) {
    if (prop.key() != key) continue;
    prop.set_value(value);
    return;
  }
  auto* prop = model_->add_metadata_props();
  prop->set_key(key);
  prop->set_value(value);
}

void OnnxBuilder::save(const std::string& path) const {
  check(model_->graph().output_size() > 0, path, "the graph has no output to save");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  check(out.good(), path, "cannot open for writing");
  check(model_->SerializeToOstream(&out), path, "failed to write (a model must stay under 2 GiB)");
  out.close();
  check(out.good(), path, "failed to write");
}

}  // namespace facekit::train
