// Face quality from the pixels inside the box and the landmarks' geometry.
// The face is first resampled to the recogniser's 112×112 crop, so that the
// measures describe what recognition will see: a small face blown up to
// 112 px is blurry and rates low, a large one rates on its own detail.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "facekit/detect.h"
#include "facekit/error.h"

namespace facekit {

namespace {

constexpr int kCropSide = 112;             // recognisers' input side, pixels
constexpr double kSharpnessScale = 100.0;  // Laplacian variance giving sharpness 1 − 1/e ≈ 0.63
constexpr double kContrastScale = 25.0;    // grey standard deviation giving contrast 1 − 1/e

// Maps [0, ∞) onto [0, 1): 0 stays 0, `scale` gives 0.63, 3 × scale 0.95.
float squash(double value, double scale) { return static_cast<float>(1.0 - std::exp(-value / scale)); }

// 1 when the eyes are level and the nose sits midway between them along the
// eye line; falls with the roll angle (cosine) and with the nose's offset
// (0 once it reaches an eye's position, as in a profile).
float frontal_pose(const std::vector<cv::Point2f>& landmarks) {
  const cv::Point2f eyes = landmarks[kRightEye] - landmarks[kLeftEye];
  const double eye_distance = std::hypot(eyes.x, eyes.y);
  if (eye_distance < 1e-3) return 0;
  const cv::Point2f axis = eyes * static_cast<float>(1.0 / eye_distance);
  const double level = std::max(0.0, static_cast<double>(axis.x));  // cos(roll)
  const cv::Point2f from_middle = landmarks[kNose] - (landmarks[kLeftEye] + landmarks[kRightEye]) * 0.5f;
  const double offset = std::abs(from_middle.dot(axis)) / (eye_distance / 2);
  return static_cast<float>(level * std::max(0.0, 1.0 - offset));
}

}  // namespace

void assess_quality(const cv::Mat& rgb, Face& face) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "assess_quality", "expected a non-empty 8-bit RGB image");
  FaceQuality& q = face.quality;
  q = FaceQuality{};
  q.size = std::min(1.0f, std::max(0.0f, std::min(face.box.width, face.box.height)) / kCropSide);
  // Without landmarks the pose is unknown and not held against the face: the
  // only such detector here (Haar, frontal cascade) finds near-frontal faces.
  q.pose = face.landmarks.size() > kNose ? frontal_pose(face.landmarks) : 1.0f;

  const cv::Rect inside = cv::Rect(face.box) & cv::Rect(0, 0, rgb.cols, rgb.rows);
  if (inside.width >= 2 && inside.height >= 2) {
    cv::Mat grey, crop, laplacian;
    cv::cvtColor(rgb(inside), grey, cv::COLOR_RGB2GRAY);
    const bool shrinking = inside.width > kCropSide || inside.height > kCropSide;
    cv::resize(grey, crop, {kCropSide, kCropSide}, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Scalar mean, deviation;
    cv::meanStdDev(crop, mean, deviation);
    q.brightness = static_cast<float>(std::max(0.0, 1.0 - std::abs(mean[0] - 127.5) / 127.5));
    q.contrast = squash(deviation[0], kContrastScale);
    cv::Laplacian(crop, laplacian, CV_32F);
    cv::meanStdDev(laplacian, mean, deviation);
    q.sharpness = squash(deviation[0] * deviation[0], kSharpnessScale);
  }
  q.overall = std::clamp(face.score, 0.0f, 1.0f) * q.size * q.sharpness * q.brightness * q.contrast * q.pose;
}

}  // namespace facekit
