// face_recognition: dlib's ResNet-29-like descriptor net, 150x150 -> 128-d.
// Each conv is followed by a per-channel scale layer (x * weights + biases);
// the down-sampling blocks add a 2x2 average pool of their input, zero-padded
// in channels (and in space where the strided conv came out one smaller).
#include "facekit/error.h"
#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {
namespace {

// conv + bias, scale layer, optional relu: face-api's convLayer.
int conv_scale(Builder& b, int x, const std::string& prefix, int stride, Padding pad, bool relu) {
  int y = b.conv(x, prefix + "/conv/filters", prefix + "/conv/bias", stride, pad);
  const int64_t c = b.channels(y);
  y = b.with_constant("Mul", y, b.weights().take(prefix + "/scale/weights", {c}), prefix + "/scale/weights");
  y = b.with_constant("Add", y, b.weights().take(prefix + "/scale/biases", {c}), prefix + "/scale/biases");
  return relu ? b.relu(y) : y;
}

int residual(Builder& b, int x, const std::string& prefix) {
  int y = conv_scale(b, x, prefix + "/conv1", 1, Padding::kSame, true);
  y = conv_scale(b, y, prefix + "/conv2", 1, Padding::kSame, false);
  return b.relu(b.add(y, x));
}

int residual_down(Builder& b, int x, const std::string& prefix) {
  int y = conv_scale(b, x, prefix + "/conv1", 2, Padding::kValid, true);
  y = conv_scale(b, y, prefix + "/conv2", 1, Padding::kSame, false);
  int shortcut = b.avg_pool(x, 2, 2, Padding::kValid);
  const Shape ys = b.shape(y);  // copies: adding nodes may move the values
  const Shape ss = b.shape(shortcut);
  // An odd input makes the VALID 3x3/2 conv one smaller than the 2x2/2 pool:
  // face-api appends a zero row and column to the conv path.
  const int64_t dh = ss[1] - ys[1], dw = ss[2] - ys[2];
  check(dh >= 0 && dh <= 1 && dw >= 0 && dw <= 1, b.weights().file(), prefix + ": unexpected spatial sizes");
  if (dh || dw) y = b.pad(y, {0, 0, 0, 0, 0, dh, dw, 0});
  const int64_t dc = ys[3] - ss[3];
  check(dc >= 0, b.weights().file(), prefix + ": the block narrows its channels");
  if (dc) shortcut = b.pad(shortcut, {0, 0, 0, 0, 0, 0, 0, dc});
  return b.relu(b.add(shortcut, y));
}

}  // namespace

void build_recognition(Builder& b) {
  int x = b.input("input", {1, 150, 150, 3});
  x = subtract_mean_and_scale(b, x, 122.782f, 117.001f, 104.298f);
  x = conv_scale(b, x, "conv32_down", 2, Padding::kValid, true);
  x = b.max_pool(x, 3, 2, Padding::kValid);
  for (const char* block : {"conv32_1", "conv32_2", "conv32_3"}) x = residual(b, x, block);
  x = residual_down(b, x, "conv64_down");
  for (const char* block : {"conv64_1", "conv64_2", "conv64_3"}) x = residual(b, x, block);
  x = residual_down(b, x, "conv128_down");
  for (const char* block : {"conv128_1", "conv128_2"}) x = residual(b, x, block);
  x = residual_down(b, x, "conv256_down");
  for (const char* block : {"conv256_1", "conv256_2"}) x = residual(b, x, block);
  x = residual_down(b, x, "conv256_down_out");
  x = b.mean_hw(x);
  b.output(b.dense(x, "fc", ""), "descriptor");
}

}  // namespace facekit::nn::faceapi
