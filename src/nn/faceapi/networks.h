// The seven face-api networks, each built in code from its weights (one file
// per network), and the loader's view of a weight set.
#pragma once

#include <string>

#include "facekit/nn/graph.h"
#include "nn/faceapi/builder.h"

namespace facekit::nn::faceapi {

enum class Network {
  kSsdMobilenetV1,
  kTinyFaceDetector,
  kLandmark68,
  kLandmark68Tiny,
  kRecognition,
  kAgeGender,
  kExpression,
};

// face-api's model name, e.g. "face_recognition" (the manifest's file name
// is "<name>_model-weights_manifest.json").
const char* network_name(Network n);

// A loaded weight set: the finalized, folded graph and what was read.
struct LoadedNetwork {
  Network network;
  Graph graph;
  size_t weight_count = 0;        // tensors in the manifest
  int64_t manifest_elements = 0;  // their total element count (MODELS.md "Params")
};

// load_faceapi's work, keeping the details tests check.
LoadedNetwork load_network(const std::string& manifest_path);

// Each appends its network to the builder's graph (input, layers, outputs)
// as documented in src/nn/faceapi/README.md.
void build_recognition(Builder& b);
void build_landmark68(Builder& b, bool tiny);
void build_age_gender(Builder& b);
void build_expression(Builder& b);
void build_tiny_face_detector(Builder& b);
void build_ssd_mobilenetv1(Builder& b);

// Shared by the landmark and expression nets: the input, face-api's
// (x - mean) / 255, and the dense-block feature extractor (4 blocks of 4
// convs, or 3 of 3 for the tiny net) up to its final average pool.
// Returns [1, 1, 1, C].
int face_feature_extractor(Builder& b, bool tiny);

// (x - mean_rgb) / 255 on the input, as face-api's normalize().div(255).
int subtract_mean_and_scale(Builder& b, int x, float r, float g, float bl);

}  // namespace facekit::nn::faceapi
