// What every OpenCV-backed video source does to a decoded frame.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace facekit {

// `frame` (as cv::VideoCapture decodes it: BGR, BGRA or gray) as 8-bit RGB.
// Throws Error naming `source` and the frame `index` for an empty frame, one
// that is not 8-bit, or one of another channel count.
cv::Mat frame_rgb(const cv::Mat& frame, const std::string& source, int64_t index);

}  // namespace facekit
