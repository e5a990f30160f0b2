#include "facekit/train_attribute_head.h"
#include "train/attribute_head_net.h"
#include "train/onnx_builder.h"

namespace facekit::train {

AttributeHeadNetImpl::AttributeHeadNetImpl(int dimension_, int hidden_, float dropout,
                                           const std::vector<HeadAttribute>& attributes)
    : dimension(dimension_), hidden(hidden_) {
  drop = register_module("drop", torch::nn::Dropout(dropout));
  if (hidden > 0) trunk = register_module("trunk", torch::nn::Linear(dimension, hidden));
  for (const HeadAttribute& a : attributes)
    outputs.push_back(register_module("out_" + a.name,
                                      torch::nn::Linear(hidden > 0 ? hidden : dimension, static_cast<int64_t>(a.classes.size()))));
}

std::vector<torch::Tensor> AttributeHeadNetImpl::forward(const torch::Tensor& embeddings) {
  torch::Tensor x = embeddings / embeddings.norm(2, 1, true);
  if (trunk) x = torch::relu(trunk->forward(drop->forward(x)));
  std::vector<torch::Tensor> logits;
  for (auto& out : outputs) logits.push_back(out->forward(drop->forward(x)));
  return logits;
}

namespace {

// y = x·Wᵀ + b as one Gemm node.
std::string linear(OnnxBuilder& onnx, torch::nn::Linear& layer, const std::string& x, const std::string& name) {
  const std::string w = onnx.add_initializer(name + "_weight", layer->weight);
  const std::string b = onnx.add_initializer(name + "_bias", layer->bias);
  const std::string y = onnx.add_node("Gemm", {x, w, b}, name);
  onnx.set_int("transB", 1);
  return y;
}

}  // namespace

void export_attribute_head(AttributeHeadNet& net, const std::vector<HeadAttribute>& attributes,
                           const nlohmann::json& card, const std::string& path) {
  OnnxBuilder onnx;
  const std::string x = onnx.add_vector_input("embedding", net->dimension);
  const std::string norm = onnx.add_node("ReduceL2", {x}, "norm");
  onnx.set_ints("axes", {1});
  onnx.set_int("keepdims", 1);
  std::string h = onnx.add_node("Div", {x, norm}, "unit");
  if (net->trunk) h = onnx.add_node("Relu", {linear(onnx, net->trunk, h, "trunk")}, "hidden");
  for (size_t i = 0; i < attributes.size(); ++i) {
    const std::string logits = linear(onnx, net->outputs[i], h, attributes[i].name + "_logits");
    const std::string p = onnx.add_node("Softmax", {logits}, attributes[i].name);
    onnx.set_int("axis", 1);
    onnx.add_output(p, {-1, static_cast<int64_t>(attributes[i].classes.size())});
  }
  onnx.set_metadata(kAttributeHeadCardKey, card.dump());
  onnx.save(path);
}

}  // namespace facekit::train
