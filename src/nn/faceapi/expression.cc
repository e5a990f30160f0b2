// face_expression: the landmark net's feature extractor with a 7-way FC head
// giving logits for (neutral, happy, sad, angry, fearful, disgusted, surprised).
#include "nn/faceapi/networks.h"

namespace facekit::nn::faceapi {

void build_expression(Builder& b) {
  const int features = face_feature_extractor(b, false);
  const int flat = b.reshape(features, {1, b.channels(features)});
  // Logits, as face-api's runNet: forwardInput adds the softmax.
  b.output(b.dense(flat, "fc/weights", "fc/bias"), "expressions");
}

}  // namespace facekit::nn::faceapi
