// Face detection: an RGB image in, faces out — a box, a score, landmarks
// where the model gives them, and quality measures the later stages use to
// decide whether a face is worth recognising.
//
// Detectors are chosen by name (detector_names() lists them):
//   mtcnn             P-Net/R-Net/O-Net cascade over an image pyramid, 5 landmarks
//   blazeface-short   MediaPipe BlazeFace, short range (faces within ~2 m), 6 keypoints
//   blazeface-full    MediaPipe BlazeFace, full range (small, distant faces)
//   ssd               face-api SSD-MobileNetV1
//   tiny              face-api TinyFaceDetector
//   haar              OpenCV Haar cascade (frontal, default) — the classic baseline
// and, for ONNX models a user brings, make_fpn_detector() in fpn_detector.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace facekit {

// The five landmarks, in image order: the eye on the image's left, the eye on
// its right, the nose tip, the mouth corner on the left, on the right (the
// order of the ArcFace alignment template).
enum Landmark5 { kLeftEye = 0, kRightEye, kNose, kLeftMouth, kRightMouth };

// Measures of how usable a detected face is. Each is in [0, 1], 1 best.
struct FaceQuality {
  float size = 0;          // short side of the box relative to 112 px, capped at 1
  float sharpness = 0;     // variance of the Laplacian of the face, squashed
  float brightness = 0;    // 1 at mid-grey mean, falling to 0 at black or white
  float contrast = 0;      // grey-level standard deviation, squashed
  float pose = 0;          // 1 for a frontal face (from the 5 landmarks' symmetry;
                           // 1 when the detector gives no landmarks)
  float overall = 0;       // the product of the detector score and the above
};

struct Face {
  cv::Rect2f box;                        // pixels of the input image (may extend past it)
  float score = 0;                       // detector confidence in [0, 1]
  std::vector<cv::Point2f> landmarks;    // 5 (Landmark5 order) or empty
  std::vector<cv::Point2f> landmarks68;  // iBUG 68-point layout when a landmark model ran
  FaceQuality quality;
};

struct DetectOptions {
  float min_face = 20;          // smallest face side searched for, pixels
  float score_threshold = -1;   // in [0, 1]; -1: the detector's own default
  float nms_iou = -1;           // in [0, 1]; -1: the detector's own default
  int max_faces = 0;            // keep the best N; 0 keeps all
  std::string executor = "fast";  // "fast" | "reference"
  int threads = 1;              // 0 = all cores; at most max_threads() (limits.h)
};

// Throws Error naming the option and its range for a min_face that is not
// finite and > 0, a score_threshold or nms_iou that is neither -1 nor in
// [0, 1] (NaN included), a negative max_faces or threads, or an executor
// other than "fast" and "reference". make_detector checks its options so.
void check_detect_options(const DetectOptions& options);

class Detector {
 public:
  virtual ~Detector() = default;
  // Faces in an 8-bit RGB image (CV_8UC3), best score first, with quality
  // filled in. Throws Error for an empty image or another pixel format.
  virtual std::vector<Face> detect(const cv::Mat& rgb) = 0;
  virtual std::string name() const = 0;
};

// The detector named `name` with its models loaded (from the zoo: throws
// Error naming the model and the install command when one is missing).
// Throws Error listing the known names for an unknown one, or as
// check_detect_options for bad options.
std::unique_ptr<Detector> make_detector(const std::string& name, const DetectOptions& options = {});
std::vector<std::string> detector_names();

// Fills face.quality from the image and the face's box, score and landmarks.
// Sharpness, brightness and contrast are measured on the part of the box
// inside the image, resampled to 112×112 grey (all 0 when under 2×2 pixels
// of the box are inside). Deterministic. Throws Error unless `rgb` is a
// non-empty CV_8UC3 image.
void assess_quality(const cv::Mat& rgb, Face& face);

// Intersection over union of two boxes.
float iou(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace facekit
