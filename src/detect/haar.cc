// The classic baseline: OpenCV's Viola–Jones cascade for frontal faces, from
// Debian's opencv-data. No landmarks. The cascade's own grouping of nearby
// windows replaces non-maximum suppression, which runs only when asked for
// (DetectOptions::nms_iou >= 0).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "detect/detectors.h"
#include "detect/nms.h"
#include "facekit/error.h"

namespace facekit {

namespace {

constexpr const char* kCascadeFile = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
constexpr double kScaleStep = 1.1;  // pyramid ratio between window sizes
constexpr int kMinNeighbors = 3;    // overlapping windows needed to report a face
// The score is a logistic of the last stage's sum of weak-classifier votes
// (detectMultiScale3's level weight), the cascade's margin of acceptance:
// kWeightMidpoint maps to 0.5, kWeightScale spreads it. On the face-api
// sample photos the faces' weights run 3.9–10 (two turned faces 0.7 and 2.9)
// and most false detections' below 3.5, so the default threshold of 0.5
// keeps weights above 3.5.
constexpr double kWeightMidpoint = 3.5;
constexpr double kWeightScale = 1.0;
constexpr float kDefaultThreshold = 0.5f;

class HaarDetector : public Detector {
 public:
  explicit HaarDetector(const DetectOptions& options) : options_(options) {
    check(std::filesystem::exists(kCascadeFile), std::string("haar: cascade ") + kCascadeFile,
          "not found (install it with `apt-get install opencv-data`)");
    check(cascade_.load(kCascadeFile), std::string("haar: cascade ") + kCascadeFile, "cannot be loaded");
  }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, "haar", "expected a non-empty 8-bit RGB image");
    cv::Mat grey;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    cv::equalizeHist(grey, grey);
    std::vector<cv::Rect> boxes;
    std::vector<int> levels;
    std::vector<double> weights;
    const int min_side = std::max(1, static_cast<int>(std::lround(options_.min_face)));
    cascade_.detectMultiScale(grey, boxes, levels, weights, kScaleStep, kMinNeighbors, 0, {min_side, min_side}, {},
                              /*outputRejectLevels=*/true);
    const float threshold = options_.score_threshold < 0 ? kDefaultThreshold : options_.score_threshold;
    std::vector<Face> faces;
    for (size_t i = 0; i < boxes.size(); ++i) {
      Face face;
      face.box = cv::Rect2f(boxes[i]);
      face.score = static_cast<float>(1.0 / (1.0 + std::exp(-(weights[i] - kWeightMidpoint) / kWeightScale)));
      if (face.score < threshold) continue;
      faces.push_back(std::move(face));
    }
    std::stable_sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.score > b.score; });
    if (options_.nms_iou >= 0) {
      std::vector<Face> kept;
      for (int i : nms(faces, options_.nms_iou)) kept.push_back(faces[static_cast<size_t>(i)]);
      faces = std::move(kept);
    }
    if (options_.max_faces > 0 && faces.size() > static_cast<size_t>(options_.max_faces))
      faces.resize(static_cast<size_t>(options_.max_faces));
    for (Face& face : faces) assess_quality(rgb, face);
    return faces;
  }

  std::string name() const override { return "haar"; }

 private:
  DetectOptions options_;
  cv::CascadeClassifier cascade_;
};

}  // namespace

std::unique_ptr<Detector> make_haar_detector(const DetectOptions& options) {
  return std::make_unique<HaarDetector>(options);
}

}  // namespace facekit
