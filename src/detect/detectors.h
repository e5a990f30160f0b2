// The factories behind make_detector(), one per implementation file.
#pragma once

#include <memory>
#include <vector>

#include "facekit/detect.h"

namespace facekit {

std::unique_ptr<Detector> make_mtcnn_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_mtcnn_expo_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_blazeface_detector(const DetectOptions& options, bool full_range);
std::unique_ptr<Detector> make_human_blazeface_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_ssd_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_tiny_detector(const DetectOptions& options);
std::unique_ptr<Detector> make_haar_detector(const DetectOptions& options);

// The 5 alignment points (Landmark5 order) from BlazeFace's 6 keypoints
// (subject's right eye, left eye, nose tip, mouth centre, right ear, left
// ear): the mouth corners placed either side of the mouth centre along the
// eye line, as the ArcFace template spaces them.
std::vector<cv::Point2f> blazeface_landmarks5(const std::vector<cv::Point2f>& keypoints);

}  // namespace facekit
