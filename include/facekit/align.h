// Alignment: from a detected face to the crop a recognizer expects.
//
// Landmarks come from the detector (5 points) or from a 68-point landmark
// model; a similarity transform (rotation, uniform scale, translation; least
// squares, Umeyama 1991) maps the 5 points onto a recognizer's template, and
// the image is warped through it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"

namespace facekit {

// Where the 5 landmarks (Landmark5 order) sit in a recognizer's input crop.
struct AlignTemplate {
  std::string name;
  cv::Size size;                       // crop size in pixels
  std::vector<cv::Point2f> points;     // 5 points in that crop
};

// The ArcFace / InsightFace 112×112 template (MobileFaceNet, ArcFace, SFace).
const AlignTemplate& arcface_template();
// The ArcFace template scaled to `size` (square), e.g. 150 or 224.
AlignTemplate scaled_template(const AlignTemplate& base, int size);

// The similarity transform (2×3, CV_64F) that best maps `from` onto `to` in
// the least-squares sense. Throws Error unless both hold the same number
// (≥ 2) of points, not all coincident.
cv::Mat similarity_transform(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to);

struct AlignOptions {
  // Extra context around the template, as a fraction of the template size on
  // each side, rounded to whole pixels (0.1 on 112 → a 134×134 crop with the
  // template points moved by 11 px: the face keeps its pixel size and fills
  // less of the crop). In [0, 4].
  float margin = 0;
  // How pixels outside the image are filled: cv::BORDER_CONSTANT (black),
  // cv::BORDER_REPLICATE or cv::BORDER_REFLECT_101.
  int border = cv::BORDER_CONSTANT;
};

// The aligned crop of `face` (8-bit RGB, template size plus margins). Uses
// the 5 landmarks, else 5 derived from landmarks68; a face with neither is
// cropped from its box (square, centred) without rotation. Throws Error for
// an empty or non-RGB image, a crop (margins included) over 4096 px or an
// empty template, a bad margin or border, landmark counts other than 5/68
// (or none), landmarks that fit the template only at zero scale, or (without
// landmarks) an empty box.
cv::Mat align_face(const cv::Mat& rgb, const Face& face, const AlignTemplate& tmpl,
                   const AlignOptions& options = {});

// The 5 points (Landmark5 order) derived from iBUG 68: eye centres (mean of
// each eye's 6 points), nose tip (30), mouth corners (48, 54).
std::vector<cv::Point2f> landmarks5_from_68(const std::vector<cv::Point2f>& landmarks68);

// A 68-point landmark model run on detected faces.
//   faceapi-68        face-api's full landmark net (default)
//   faceapi-68-tiny   face-api's tiny landmark net
class Landmarker {
 public:
  virtual ~Landmarker() = default;
  // Fills face.landmarks68 (and face.landmarks, when empty, from them).
  virtual void locate(const cv::Mat& rgb, Face& face) = 0;
};
std::unique_ptr<Landmarker> make_landmarker(const std::string& name = "faceapi-68",
                                            const DetectOptions& options = {});

}  // namespace facekit
