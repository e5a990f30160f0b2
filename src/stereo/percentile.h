// A percentile of a map's values inside a mask (internal to facekit_stereo).
#pragma once

#include <opencv2/core.hpp>

namespace facekit::stereo {

// The `fraction` (0..1) percentile of a CV_32F map's values where the CV_8U
// mask is non-zero; 0 when the mask is empty.
double masked_percentile(const cv::Mat& map, const cv::Mat& mask, double fraction);

}  // namespace facekit::stereo
