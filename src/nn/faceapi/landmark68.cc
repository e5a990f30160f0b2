// face_landmark_68 (full and tiny): a dense-block feature extractor and one
// FC layer giving 68 (x, y) points relative to the 112x112 input. The same
// extractor (full) also feeds the expression net.
#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {
namespace {

// face-api's denseBlock3 / denseBlock4: a strided first conv, then separable
// convs each fed the relu of the sum of all earlier outputs of the block.
// The sums nest to the right as in face-api (out1 + (out2 + (out3 + out4)))
// so float rounding matches.
int dense_block(Builder& b, int x, const std::string& prefix, int convs, bool first) {
  const int out1 = b.relu(first ? b.conv(x, prefix + "/conv0/filters", prefix + "/conv0/bias", 2, Padding::kSame)
                                : b.separable(x, prefix + "/conv0", 2));
  std::vector<int> outs{out1};
  int in = out1;
  for (int i = 1; i < convs; ++i) {
    outs.push_back(b.separable(in, prefix + "/conv" + std::to_string(i), 1));
    int sum = outs.back();
    for (int j = static_cast<int>(outs.size()) - 2; j >= 0; --j) sum = b.add(outs[j], sum);
    in = b.relu(sum);
  }
  return in;
}

}  // namespace

int face_feature_extractor(Builder& b, bool tiny) {
  int x = b.input("input", {1, 112, 112, 3});
  x = subtract_mean_and_scale(b, x, 122.782f, 117.001f, 104.298f);
  const int blocks = tiny ? 3 : 4;
  for (int i = 0; i < blocks; ++i) x = dense_block(b, x, "dense" + std::to_string(i), blocks, i == 0);
  // 112 / 2^4 = 7 (full) or 112 / 2^3 = 14 (tiny): the pool covers the map.
  return b.avg_pool(x, tiny ? 14 : 7, 2, Padding::kValid);
}

void build_landmark68(Builder& b, bool tiny) {
  const int features = face_feature_extractor(b, tiny);
  const int flat = b.reshape(features, {1, b.channels(features)});
  b.output(b.dense(flat, "fc/weights", "fc/bias"), "landmarks");
}

}  // namespace facekit::nn::faceapi
