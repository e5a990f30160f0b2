// age_gender: a TinyXception extractor (2 middle blocks) and two FC heads —
// age regression and (male, female) logits.
#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {
namespace {

// Two separable convs and a 3x3/2 max pool, plus a strided 1x1 conv of the
// block's (non-activated) input as the shortcut.
int reduction_block(Builder& b, int x, const std::string& prefix, bool activate_input) {
  int y = activate_input ? b.relu(x) : x;
  y = b.separable(y, prefix + "/separable_conv0", 1);
  y = b.separable(b.relu(y), prefix + "/separable_conv1", 1);
  y = b.max_pool(y, 3, 2, Padding::kSame);
  return b.add(y, b.conv(x, prefix + "/expansion_conv/filters", prefix + "/expansion_conv/bias", 2, Padding::kSame));
}

int main_block(Builder& b, int x, const std::string& prefix) {
  int y = x;
  for (int i = 0; i < 3; ++i) y = b.separable(b.relu(y), prefix + "/separable_conv" + std::to_string(i), 1);
  return b.add(y, x);
}

}  // namespace

void build_age_gender(Builder& b) {
  int x = b.input("input", {1, 112, 112, 3});
  x = subtract_mean_and_scale(b, x, 122.782f, 117.001f, 104.298f);
  x = b.conv(x, "entry_flow/conv_in/filters", "entry_flow/conv_in/bias", 2, Padding::kSame, kRelu);
  x = reduction_block(b, x, "entry_flow/reduction_block_0", false);
  x = reduction_block(b, x, "entry_flow/reduction_block_1", true);
  for (int i = 0; i < 2; ++i) x = main_block(b, x, "middle_flow/main_block_" + std::to_string(i));
  x = reduction_block(b, x, "exit_flow/reduction_block", true);
  x = b.separable(x, "exit_flow/separable_conv", 1, kRelu);
  x = b.avg_pool(x, 7, 2, Padding::kValid);
  const int flat = b.reshape(x, {1, b.channels(x)});

  // Raw heads, as face-api's runNet: forwardInput adds a softmax over gender.
  b.output(b.dense(flat, "fc/age/weights", "fc/age/bias"), "age");
  b.output(b.dense(flat, "fc/gender/weights", "fc/gender/bias"), "gender");
}

}  // namespace facekit::nn::faceapi
