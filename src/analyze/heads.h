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

// face-api's input for its 112×112 nets: the crop padded to a square
// (centred) and resized with tf.image.resizeBilinear, 0..255 (the graph
// normalises).
cv::Mat faceapi_input(const cv::Mat& crop, int size);

}  // namespace facekit::analyze
