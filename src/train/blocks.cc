#include "train/blocks.h"

#include <algorithm>

#include "facekit/error.h"

namespace facekit::train {

namespace {

// Inference batch norm: ONNX BatchNormalization reads the running statistics.
template <typename BatchNorm>
std::string batch_norm_node(OnnxBuilder& onnx, const BatchNorm& bn, const std::string& x, const std::string& name) {
  const std::string scale = onnx.add_initializer(name + ".weight", bn.weight);
  const std::string bias = onnx.add_initializer(name + ".bias", bn.bias);
  const std::string mean = onnx.add_initializer(name + ".running_mean", bn.running_mean);
  const std::string var = onnx.add_initializer(name + ".running_var", bn.running_var);
  const std::string y = onnx.add_node("BatchNormalization", {x, scale, bias, mean, var}, name);
  onnx.set_float("epsilon", static_cast<float>(bn.options.eps()));
  return y;
}

// Channel attention's hidden width: CBAM's reduction of 16, at least 8.
int attention_hidden(int channels) { return std::max(channels / 16, 8); }

}  // namespace

std::string export_conv(OnnxBuilder& onnx, const torch::nn::Conv2dImpl& conv, const std::string& x,
                        const std::string& name) {
  const auto& o = conv.options;
  const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
  check(padding != nullptr, "ONNX export of " + name, "only explicit padding is exported");
  std::vector<std::string> inputs{x, onnx.add_initializer(name + ".weight", conv.weight)};
  if (conv.bias.defined()) inputs.push_back(onnx.add_initializer(name + ".bias", conv.bias));
  const std::string y = onnx.add_node("Conv", inputs, name);
  const auto& k = o.kernel_size();
  const auto& s = o.stride();
  const auto& d = o.dilation();
  const auto& p = *padding;
  onnx.set_ints("kernel_shape", {k->at(0), k->at(1)});
  onnx.set_ints("strides", {s->at(0), s->at(1)});
  onnx.set_ints("dilations", {d->at(0), d->at(1)});
  onnx.set_ints("pads", {p->at(0), p->at(1), p->at(0), p->at(1)});
  onnx.set_int("group", o.groups());
  return y;
}

std::string export_batch_norm(OnnxBuilder& onnx, const torch::nn::BatchNorm2dImpl& bn, const std::string& x,
                              const std::string& name) {
  return batch_norm_node(onnx, bn, x, name);
}

std::string export_batch_norm(OnnxBuilder& onnx, const torch::nn::BatchNorm1dImpl& bn, const std::string& x,
                              const std::string& name) {
  return batch_norm_node(onnx, bn, x, name);
}

std::string export_prelu(OnnxBuilder& onnx, const torch::nn::PReLUImpl& prelu, const std::string& x,
                         const std::string& name) {
  // ONNX PRelu broadcasts the slope from the right: C×1×1 is per channel.
  const std::string slope = onnx.add_initializer(name + ".weight", prelu.weight.reshape({-1, 1, 1}));
  return onnx.add_node("PRelu", {x, slope}, name);
}

ConvBnImpl::ConvBnImpl(const ConvSpec& spec) {
  conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(spec.in, spec.out, spec.kernel)
                                                        .stride(spec.stride)
                                                        .padding(spec.padding)
                                                        .groups(spec.groups)
                                                        .bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(spec.out));
  if (spec.prelu) prelu_ = register_module("prelu", torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(spec.out)));
}

torch::Tensor ConvBnImpl::forward(torch::Tensor x) {
  x = bn_(conv_(x));
  return prelu_ ? prelu_(x) : x;
}

std::string ConvBnImpl::export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const {
  std::string y = export_conv(onnx, *conv_, x, name + ".conv");
  y = export_batch_norm(onnx, *bn_, y, name + ".bn");
  return prelu_ ? export_prelu(onnx, *prelu_, y, name + ".prelu") : y;
}

AttentionImpl::AttentionImpl(int channels) {
  const int hidden = attention_hidden(channels);
  using torch::nn::Conv2dOptions;
  squeeze_ = register_module("squeeze", torch::nn::Conv2d(Conv2dOptions(channels, hidden, 1).bias(false)));
  expand_ = register_module("expand", torch::nn::Conv2d(Conv2dOptions(hidden, channels, 1).bias(false)));
  spatial_ = register_module("spatial", torch::nn::Conv2d(Conv2dOptions(2, 1, 7).padding(3).bias(false)));
}

torch::Tensor AttentionImpl::forward(torch::Tensor x) {
  auto mlp = [this](const torch::Tensor& pooled) { return expand_(torch::relu(squeeze_(pooled))); };
  x = x * torch::sigmoid(mlp(x.mean({2, 3}, true)) + mlp(x.amax({2, 3}, true)));
  const torch::Tensor maps = torch::cat({x.mean(1, true), x.amax(1, true)}, 1);
  return x * torch::sigmoid(spatial_(maps));
}

std::string AttentionImpl::export_onnx(OnnxBuilder& onnx, const std::string& x, const std::string& name) const {
  // The channel MLP's weights are written once and read by both branches.
  const std::string w1 = onnx.add_initializer(name + ".squeeze.weight", squeeze_->weight);
  const std::string w2 = onnx.add_initializer(name + ".expand.weight", expand_->weight);
  auto mlp = [&](const std::string& pool) {
    const std::string pooled = onnx.add_node(pool, {x}, name + "." + pool);
    std::string h = onnx.add_node("Conv", {pooled, w1}, name + ".squeeze");
    onnx.set_ints("kernel_shape", {1, 1});
    h = onnx.add_node("Relu", {h}, name + ".relu");
    h = onnx.add_node("Conv", {h, w2}, name + ".expand");
    onnx.set_ints("kernel_shape", {1, 1});
    return h;
  };
  const std::string a = mlp("GlobalAveragePool"), m = mlp("GlobalMaxPool");
  const std::string channel_gate =
      onnx.add_node("Sigmoid", {onnx.add_node("Add", {a, m}, name + ".channel_sum")}, name + ".channel_gate");
  const std::string y = onnx.add_node("Mul", {x, channel_gate}, name + ".channel_scaled");
  auto channel_reduce = [&](const std::string& op) {
    const std::string r = onnx.add_node(op, {y}, name + "." + op);
    onnx.set_ints("axes", {1});
    onnx.set_int("keepdims", 1);
    return r;
  };
  const std::string mean = channel_reduce("ReduceMean"), max = channel_reduce("ReduceMax");
  const std::string maps = onnx.add_node("Concat", {mean, max}, name + ".maps");
  onnx.set_int("axis", 1);
  const std::string spatial_gate =
      onnx.add_node("Sigmoid", {export_conv(onnx, *spatial_, maps, name + ".spatial")}, name + ".spatial_gate");
  return onnx.add_node("Mul", {y, spatial_gate}, name + ".out");
}

}  // namespace facekit::train
