// Detection on a copy of the image framed by a border (include/facekit/detect.h).
#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "facekit/detect.h"
#include "facekit/error.h"

namespace facekit {

std::vector<Face> detect_padded(Detector& detector, const cv::Mat& rgb, const PadOptions& pad) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "detect_padded", "expected a non-empty 8-bit RGB image");
  check(std::isfinite(pad.fraction) && pad.fraction > 0 && pad.fraction <= 4, "padding fraction",
        std::to_string(pad.fraction) + " is outside (0, 4]");
  const int border = std::max(1, static_cast<int>(std::lround(pad.fraction * std::max(rgb.cols, rgb.rows))));
  cv::Mat framed;
  if (pad.fill == PadOptions::Fill::kReplicate)
    cv::copyMakeBorder(rgb, framed, border, border, border, border, cv::BORDER_REPLICATE);
  else
    cv::copyMakeBorder(rgb, framed, border, border, border, border, cv::BORDER_CONSTANT, cv::Scalar::all(128));

  const cv::Point2f shift(static_cast<float>(border), static_cast<float>(border));
  const cv::Rect2f image(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
  std::vector<Face> faces;
  for (Face& face : detector.detect(framed)) {
    face.box.x -= shift.x;
    face.box.y -= shift.y;
    const cv::Point2f centre(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2);
    if (!image.contains(centre)) continue;  // a "face" in the border
    for (auto& p : face.landmarks) p -= shift;
    for (auto& p : face.landmarks68) p -= shift;
    assess_quality(rgb, face);
    faces.push_back(std::move(face));
  }
  return faces;
}

std::vector<Face> detect_with_retry(Detector& detector, const cv::Mat& rgb, const std::optional<PadOptions>& retry) {
  std::vector<Face> faces = detector.detect(rgb);
  if (faces.empty() && retry) faces = detect_padded(detector, rgb, *retry);
  return faces;
}

}  // namespace facekit
