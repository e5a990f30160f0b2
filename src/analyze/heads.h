// The factories of the attribute heads, one per implementation file.
#pragma once

#include <memory>

#include "analyze/head.h"

namespace facekit::analyze {

std::unique_ptr<Head> make_faceapi_age_gender(const AnalyzeOptions& options);
std::unique_ptr<Head> make_faceapi_expression(const AnalyzeOptions& options);
std::unique_ptr<Head> make_human_gear(const AnalyzeOptions& options);
std::unique_ptr<Head> make_human_emotion(const AnalyzeOptions& options);
std::unique_ptr<Head> make_human_faceres(const AnalyzeOptions& options);
std::unique_ptr<Head> make_human_antispoof(const AnalyzeOptions& options);
std::unique_ptr<Head> make_human_liveness(const AnalyzeOptions& options);
std::unique_ptr<Head> make_antispoof_dtn(const AnalyzeOptions& options);
std::unique_ptr<Head> make_facekit_attributes(const AnalyzeOptions& options);

// facekit's own head: its id, and its network (models/facekit-attributes.onnx,
// compiled in): input "embedding" N×192 (raw MobileFaceNet), outputs "gender"
// N×2 and "race" N×5, softmax.
inline constexpr const char* kFacekitAttributesHead = "facekit-attributes";
nn::Graph facekit_attributes_graph();

// face-api's input for its 112×112 nets: the crop padded to a square
// (centred) and resized with tf.image.resizeBilinear, 0..255 (the graph
// normalises).
cv::Mat faceapi_input(const cv::Mat& crop, int size);

}  // namespace facekit::analyze
