// Warping a detected face onto a recognizer's template.
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "align/expo_crop.h"
#include "align/faceapi_crop.h"
#include "align/human_crop.h"
#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {

namespace {

// Crops (margins included) larger than this are a caller's mistake, not a face.
constexpr int kMaxSide = 4096;

// The 2×3 map from image pixels to template pixels for a face without
// landmarks: the square around the box's centre, side its longer side, onto
// the template's square, unrotated.
cv::Mat box_transform(const cv::Rect2f& box, const AlignTemplate& tmpl, const std::string& what) {
  check(std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.width) && std::isfinite(box.height) &&
            box.width > 0 && box.height > 0,
        what, "the face has no landmarks and an empty or non-finite box");
  const double side = std::max(box.width, box.height);
  const double scale = std::min(tmpl.size.width, tmpl.size.height) / side;
  const double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
  cv::Mat m = (cv::Mat_<double>(2, 3) << scale, 0, tmpl.size.width / 2.0 - scale * cx,  //
               0, scale, tmpl.size.height / 2.0 - scale * cy);
  return m;
}

cv::Mat landmark_transform(const std::vector<cv::Point2f>& landmarks, const AlignTemplate& tmpl,
                           const std::string& what) {
  check(tmpl.points.size() == landmarks.size(), what,
        "the template has " + std::to_string(tmpl.points.size()) + " points, the face " +
            std::to_string(landmarks.size()) + " landmarks");
  cv::Mat m = similarity_transform(landmarks, tmpl.points);
  // Landmarks that only a reflection would fit can come out at zero scale:
  // the crop would be one flat colour.
  const double det = m.at<double>(0, 0) * m.at<double>(1, 1) - m.at<double>(0, 1) * m.at<double>(1, 0);
  check(det > 1e-12, what, "the landmarks fit the template only at zero scale (a mirrored layout?)");
  return m;
}

}  // namespace

cv::Mat align_face(const cv::Mat& rgb, const Face& face, const AlignTemplate& tmpl, const AlignOptions& options) {
  const std::string what = "align to template '" + tmpl.name + "'";
  check(!rgb.empty() && rgb.type() == CV_8UC3, what, "the image must be non-empty 8-bit RGB (CV_8UC3)");
  check(tmpl.size.width > 0 && tmpl.size.height > 0 && tmpl.size.width <= kMaxSide && tmpl.size.height <= kMaxSide,
        what, "the template size must be within 1.." + std::to_string(kMaxSide) + " px");
  check(std::isfinite(options.margin) && options.margin >= 0 && options.margin <= 4, what,
        "the margin must be in [0, 4], got " + std::to_string(options.margin));
  check(options.border == cv::BORDER_CONSTANT || options.border == cv::BORDER_REPLICATE ||
            options.border == cv::BORDER_REFLECT_101,
        what, "unsupported border mode " + std::to_string(options.border));
  check(face.landmarks.empty() || face.landmarks.size() == 5, what,
        "the face has " + std::to_string(face.landmarks.size()) + " landmarks; 5 or none expected");
  check(face.landmarks68.empty() || face.landmarks68.size() == 68, what,
        "the face has " + std::to_string(face.landmarks68.size()) + " 68-layout landmarks; 68 or none expected");

  if (tmpl.kind == AlignKind::kFaceapi) {
    check(options.margin == 0, what, "face-api's crop takes no margin");
    return faceapi_descriptor_crop(rgb, face, tmpl.size, what);
  }
  if (tmpl.kind == AlignKind::kExpo) {
    check(options.margin == 0, what, "expo's crop takes no margin");
    return expo_crop(rgb, face.box, tmpl.size, what);
  }
  if (tmpl.kind == AlignKind::kHuman) {
    check(options.margin == 0, what, "human's crop takes no margin");
    return human_crop(rgb, face.box, tmpl.size, what);
  }

  cv::Mat m;
  if (face.landmarks.size() == 5)
    m = landmark_transform(face.landmarks, tmpl, what);
  else if (face.landmarks68.size() == 68)
    m = landmark_transform(landmarks5_from_68(face.landmarks68), tmpl, what);
  else
    m = box_transform(face.box, tmpl, what);

  // The margin widens the crop on every side; the template keeps its pixel
  // size, so it moves by the margin and the face fills less of the crop.
  const int pad_x = static_cast<int>(std::lround(options.margin * tmpl.size.width));
  const int pad_y = static_cast<int>(std::lround(options.margin * tmpl.size.height));
  m.at<double>(0, 2) += pad_x;
  m.at<double>(1, 2) += pad_y;
  const cv::Size out(tmpl.size.width + 2 * pad_x, tmpl.size.height + 2 * pad_y);
  check(out.width <= kMaxSide && out.height <= kMaxSide, what,
        "the crop with its margin exceeds " + std::to_string(kMaxSide) + " px");

  cv::Mat crop;
  cv::warpAffine(rgb, crop, m, out, cv::INTER_LINEAR, options.border, cv::Scalar::all(0));
  return crop;
}

}  // namespace facekit
