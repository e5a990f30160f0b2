// ssd_mobilenetv1: MobileNetV1 (depthwise + batch norm + relu6, pointwise +
// folded-BN offset + relu6), an SSD prediction head on six feature maps, and
// face-api's anchor decode. Outputs decoded boxes and sigmoid scores for all
// 5118 anchors, besides the raw head; NMS is left to the caller.
#include <cmath>

#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {
namespace {

constexpr float kBatchNormEpsilon = 0.0010000000474974513f;

// conv + convolution_bn_offset + relu6 (face-api's pointwiseConvLayer).
int pointwise(Builder& b, int x, const std::string& prefix, int stride) {
  return b.conv(x, prefix + "/weights", prefix + "/convolution_bn_offset", stride, Padding::kSame, kRelu6);
}

// depthwise conv + batch norm + relu6. The batch norm is folded into the
// filter and a bias at load time: y = (conv(x) - mean) * gamma / sqrt(var + eps) + beta.
int depthwise_bn(Builder& b, int x, const std::string& prefix, int stride) {
  WeightBank& w = b.weights();
  const int64_t c = b.channels(x);
  Tensor filter = w.take(prefix + "/depthwise_weights", {3, 3, c, 1}).clone();
  const Tensor gamma = w.take(prefix + "/BatchNorm/gamma", {c});
  const Tensor beta = w.take(prefix + "/BatchNorm/beta", {c});
  const Tensor mean = w.take(prefix + "/BatchNorm/moving_mean", {c});
  const Tensor var = w.take(prefix + "/BatchNorm/moving_variance", {c});
  Tensor bias(DType::kFloat32, {c});
  float* f = filter.data<float>();
  for (int64_t ch = 0; ch < c; ++ch) {
    const float scale = gamma.data<float>()[ch] / std::sqrt(var.data<float>()[ch] + kBatchNormEpsilon);
    for (int64_t k = 0; k < 9; ++k) f[k * c + ch] *= scale;
    bias.data<float>()[ch] = beta.data<float>()[ch] - mean.data<float>()[ch] * scale;
  }
  return b.depthwise(x, filter, &bias, stride, Padding::kSame, kRelu6, prefix);
}

// One feature map's box encodings [1, cells*anchors, 4] and class logits
// [1, cells*anchors, 3] (background, face, and an unused class).
std::pair<int, int> box_predictor(Builder& b, int x, int index) {
  const std::string prefix = "Prediction/BoxPredictor_" + std::to_string(index);
  const int boxes = b.conv(x, prefix + "/BoxEncodingPredictor/weights", prefix + "/BoxEncodingPredictor/biases", 1,
                           Padding::kSame);
  const int classes = b.conv(x, prefix + "/ClassPredictor/weights", prefix + "/ClassPredictor/biases", 1,
                             Padding::kSame);
  const Shape& s = b.shape(boxes);
  const int64_t anchors = s[1] * s[2] * (s[3] / 4);
  return {b.reshape(boxes, {1, anchors, 4}), b.reshape(classes, {1, anchors, 3})};
}

// face-api's decodeBoxesLayer: anchors and encodings are [ymin, xmin, ymax,
// xmax] and [ty, tx, th, tw]; centre = t/10 * size + anchor centre, half
// size = exp(t/5) * size / 2. The anchor arithmetic is done here, in float
// as tfjs does it.
int decode_boxes(Builder& b, int encodings, const Tensor& anchors) {
  const int64_t n = anchors.dim(1);
  Tensor sizes(DType::kFloat32, {1, n, 2}), centres(DType::kFloat32, {1, n, 2});
  const float* a = anchors.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) {
      const float size = a[i * 4 + 2 + k] - a[i * 4 + k];
      sizes.data<float>()[i * 2 + k] = size;
      centres.data<float>()[i * 2 + k] = a[i * 4 + k] + size / 2.0f;
    }
  const int t_centre = b.slice(encodings, 2, 0, 2);
  const int t_size = b.slice(encodings, 2, 2, 4);
  int centre = b.with_constant("Div", t_centre, Tensor::scalar(10.0f), "decode/10");
  centre = b.with_constant("Mul", centre, sizes, "decode/anchor_size");
  centre = b.with_constant("Add", centre, centres, "decode/anchor_centre");
  int half = b.unary("Exp", b.with_constant("Div", t_size, Tensor::scalar(5.0f), "decode/5"));
  half = b.with_constant("Mul", half, sizes.clone(), "decode/anchor_size");
  half = b.with_constant("Div", half, Tensor::scalar(2.0f), "decode/2");
  return b.concat({b.binary("Sub", centre, half), b.add(centre, half)}, 2);
}

// Weights of the TF graph face-api was exported from that its code never
// reads: shape constants and the preprocessor's scalars.
void ignore_tf_leftovers(WeightBank& w) {
  for (const char* name : {"Postprocessor/Slice/begin", "Postprocessor/Slice/size", "Postprocessor/stack/1",
                           "Preprocessor/mul/x", "Preprocessor/sub/y", "Preprocessor/ResizeImage/size",
                           "concat_1/axis", "Prediction/BoxPredictor_0/stack/3", "Prediction/BoxPredictor_0/stack_1/2",
                           "Prediction/BoxPredictor_0/strided_slice/stack",
                           "Prediction/BoxPredictor_0/strided_slice/stack_1"})
    w.ignore(name);
  for (int i = 0; i < 6; ++i) w.ignore("Prediction/BoxPredictor_" + std::to_string(i) + "/stack_1/1");
}

}  // namespace

void build_ssd_mobilenetv1(Builder& b) {
  ignore_tf_leftovers(b.weights());
  int x = b.input("input", {1, 512, 512, 3});
  x = b.with_constant("Div", x, Tensor::scalar(127.5f), "preprocess/127.5");
  x = b.with_constant("Sub", x, Tensor::scalar(1.0f), "preprocess/1");

  x = pointwise(b, x, "MobilenetV1/Conv2d_0_pointwise", 2);
  int conv11 = -1;
  for (int i = 1; i <= 13; ++i) {
    const bool down = i == 2 || i == 4 || i == 6 || i == 12;
    x = depthwise_bn(b, x, "MobilenetV1/Conv2d_" + std::to_string(i) + "_depthwise", down ? 2 : 1);
    x = pointwise(b, x, "MobilenetV1/Conv2d_" + std::to_string(i) + "_pointwise", 1);
    if (i == 11) conv11 = x;
  }

  // Extra feature maps: 1x1 then 3x3/2 convs, 16 -> 8 -> 4 -> 2 -> 1.
  std::vector<int> maps{conv11, x};
  int y = x;
  for (int i = 0; i < 8; ++i) {
    y = pointwise(b, y, "Prediction/Conv2d_" + std::to_string(i) + "_pointwise", i % 2 ? 2 : 1);
    if (i % 2) maps.push_back(y);
  }
  std::vector<int> encodings, logits;
  for (int i = 0; i < 6; ++i) {
    const auto [e, l] = box_predictor(b, maps[i], i);
    encodings.push_back(e);
    logits.push_back(l);
  }
  const int all_encodings = b.concat(encodings, 1);
  const int all_logits = b.concat(logits, 1);
  const int64_t n = b.shape(all_encodings)[1];

  // The raw head first (what face-api's outputLayer receives), then its
  // decode, which needs the anchors stored in the weights.
  b.output(all_encodings, "box_predictions");
  b.output(all_logits, "class_predictions");
  const Tensor anchors = b.weights().take("Output/extra_dim", {1, n, 4});
  b.output(decode_boxes(b, all_encodings, anchors), "boxes");
  const int face = b.slice(all_logits, 2, 1, 2);
  b.output(b.reshape(b.unary("Sigmoid", face), {1, n}), "scores");
}

}  // namespace facekit::nn::faceapi
