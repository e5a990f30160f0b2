// The factories behind make_detector(), one per implementation file.
#pragma once

#include <memory>

#include "facekit/detect.h"

namespace facekit {

std::unique_ptr<Detector> make_mtcnn_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_mtcnn_expo_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_blazeface_detector(const DetectOptions& options, bool full_range);
std::unique_ptr<Detector> make_ssd_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_tiny_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_haar_detector(const DetectOptions& options);

}  // namespace facekit
