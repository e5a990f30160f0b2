// load_faceapi: recognises which face-api network a weights manifest holds,
// builds it, and insists that the code used every weight of the file.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "nn/faceapi/networks.h"

namespace facekit::nn {
namespace faceapi {
namespace {

constexpr Network kAll[] = {Network::kSsdMobilenetV1, Network::kTinyFaceDetector, Network::kLandmark68,
                            Network::kLandmark68Tiny,  Network::kRecognition,      Network::kAgeGender,
                            Network::kExpression};

// Whether the weights look like network `n`: a weight only it has, and the
// head's size where two networks share an extractor.
bool weights_match(Network n, const WeightBank& w) {
  auto fc_out = [&](int64_t n_out) { return w.has("fc/weights") && w.shape_of("fc/weights").back() == n_out; };
  switch (n) {
    case Network::kSsdMobilenetV1: return w.has("MobilenetV1/Conv2d_0_pointwise/weights");
    case Network::kTinyFaceDetector: return w.has("conv8/filters");
    case Network::kLandmark68: return w.has("dense3/conv0/bias") && fc_out(136);
    case Network::kLandmark68Tiny: return !w.has("dense3/conv0/bias") && w.has("dense2/conv0/bias") && fc_out(136);
    case Network::kRecognition: return w.has("conv32_down/conv/filters");
    case Network::kAgeGender: return w.has("fc/age/weights");
    case Network::kExpression: return w.has("dense3/conv0/bias") && fc_out(7);
  }
  return false;
}

// The network named by the file ("<name>_model-weights_manifest.json"), else
// the one the weights look like; the two must agree.
Network identify(const std::string& path, const WeightBank& w) {
  const std::string file = std::filesystem::path(path).filename().string();
  for (Network n : kAll) {
    const std::string stem = std::string(network_name(n)) + "_model";
    if (file.rfind(stem + "-", 0) == 0 || file.rfind(stem + ".", 0) == 0) {
      check(weights_match(n, w), path, "the file is named as " + std::string(network_name(n)) +
                                           " but its weights are not that network's");
      return n;
    }
  }
  for (Network n : kAll)
    if (weights_match(n, w)) return n;
  throw Error(path + ": not a known face-api weight set (neither its name nor its weights match one)");
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path, "cannot open the weights manifest");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed JSON: " + e.what());
  }
}

}  // namespace

const char* network_name(Network n) {
  switch (n) {
    case Network::kSsdMobilenetV1: return "ssd_mobilenetv1";
    case Network::kTinyFaceDetector: return "tiny_face_detector";
    case Network::kLandmark68: return "face_landmark_68";
    case Network::kLandmark68Tiny: return "face_landmark_68_tiny";
    case Network::kRecognition: return "face_recognition";
    case Network::kAgeGender: return "age_gender";
    case Network::kExpression: return "face_expression";
  }
  return "?";
}

LoadedNetwork load_network(const std::string& path) {
  const nlohmann::json manifest = read_json(path);
  check(manifest.is_array(), path, "a weights manifest must be a JSON array of weight groups");
  WeightBank weights(tfjs::read_weights(manifest, std::filesystem::path(path).parent_path(), path), path);

  LoadedNetwork out;
  out.network = identify(path, weights);
  out.weight_count = weights.size();
  out.manifest_elements = weights.element_count();
  out.graph.name = path;
  Builder b(out.graph, weights);
  switch (out.network) {
    case Network::kSsdMobilenetV1: build_ssd_mobilenetv1(b); break;
    case Network::kTinyFaceDetector: build_tiny_face_detector(b); break;
    case Network::kLandmark68: build_landmark68(b, false); break;
    case Network::kLandmark68Tiny: build_landmark68(b, true); break;
    case Network::kRecognition: build_recognition(b); break;
    case Network::kAgeGender: build_age_gender(b); break;
    case Network::kExpression: build_expression(b); break;
  }
  weights.check_all_used();
  out.graph.finalize();
  out.graph.fold_constants();
  return out;
}

int subtract_mean_and_scale(Builder& b, int x, float r, float g, float bl) {
  const int centred = b.with_constant("Sub", x, Tensor::from_floats({3}, {r, g, bl}), "preprocess/mean_rgb");
  return b.with_constant("Div", centred, Tensor::scalar(255.0f), "preprocess/255");
}

}  // namespace faceapi

Graph load_faceapi(const std::string& manifest_path) { return faceapi::load_network(manifest_path).graph; }

}  // namespace facekit::nn
