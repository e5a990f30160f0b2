// tiny_face_detector: Tiny-YOLOv2 with separable convs. Each layer is
// conv + bias + leaky relu (0.1); max pools halve the map five times, so a
// 416x416 input gives a 13x13 grid of 5 anchors x (tx, ty, tw, th, score).
#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {
namespace {

// face-api's leaky(x) = relu(x - 0.1x) + 0.1x, which is leaky relu 0.1.
const Activation kLeaky{"LeakyRelu", 0.10000000149011612};

}  // namespace

void build_tiny_face_detector(Builder& b) {
  int x = b.input("input", {1, 416, 416, 3});
  x = subtract_mean_and_scale(b, x, 117.001f, 114.697f, 97.404f);
  // The first conv is VALID in face-api's code (416 -> 414).
  x = b.conv(x, "conv0/filters", "conv0/bias", 1, Padding::kValid, kLeaky);
  x = b.max_pool(x, 2, 2, Padding::kSame);
  // face-api pads by 1 and runs a VALID 3x3: the same as SAME at stride 1.
  for (int i = 1; i <= 5; ++i) {
    x = b.separable(x, "conv" + std::to_string(i), 1, kLeaky);
    x = b.max_pool(x, 2, i < 5 ? 2 : 1, Padding::kSame);
  }
  b.output(b.conv(x, "conv8/filters", "conv8/bias", 1, Padding::kValid), "output");
}

}  // namespace facekit::nn::faceapi
