// face-api 1.7.15's descriptor crop (ComputeAllFaceDescriptorsTask:
// landmarks.align(null, { useDlibAlignment: true }) → FaceLandmarks.alignDlib,
// then extractFaceTensors and NetInput.toBatchTensor(150, true)).
#include "align/faceapi_crop.h"

#include <algorithm>
#include <cmath>

#include "detect/faceapi_input.h"
#include "facekit/error.h"
#include "image/resize_bilinear.h"

namespace facekit {

cv::Rect faceapi_clip_box(const cv::Rect2f& box, cv::Size image) {
  const double x = std::max(0.0f, box.x), y = std::max(0.0f, box.y);
  const double w = std::min<double>(box.x + box.width - x, image.width - x);
  const double h = std::min<double>(box.y + box.height - y, image.height - y);
  if (!(w >= 1 && h >= 1)) return {};
  return {static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)), static_cast<int>(std::floor(w)),
          static_cast<int>(std::floor(h))};
}

namespace {

cv::Point2d mean_of(const std::vector<cv::Point2d>& points, int first, int last) {
  cv::Point2d sum(0, 0);
  for (int i = first; i <= last; ++i) sum += points[i];
  return sum / static_cast<double>(last - first + 1);
}

}  // namespace

cv::Mat faceapi_descriptor_crop(const cv::Mat& rgb, const Face& face, cv::Size size, const std::string& what) {
  check(face.landmarks68.size() == 68, what, "face-api's crop needs the face's 68 landmarks (faceapi-68 landmarker)");
  // The crop the landmark net saw; face-api's points are shifted by the box's
  // own corner instead of that crop's.
  const cv::Rect seen = faceapi_clip_box(face.box, rgb.size());
  check(!seen.empty(), what, "the face's box holds no pixel of the image");
  const cv::Point2d shift(face.box.x - seen.x, face.box.y - seen.y);
  std::vector<cv::Point2d> points;
  for (const auto& p : face.landmarks68) points.push_back(cv::Point2d(p) + shift);

  // FaceLandmarks.alignDlib (FaceLandmarks68.getRefPointsForAlignment).
  const cv::Point2d left_eye = mean_of(points, 36, 41), right_eye = mean_of(points, 42, 47),
                    mouth = mean_of(points, 48, 67);
  const double eye_to_mouth = (cv::norm(mouth - left_eye) + cv::norm(mouth - right_eye)) / 2;
  const double side = std::floor(eye_to_mouth / 0.45);
  const cv::Point2d centre = (left_eye + right_eye + mouth) / 3.0;
  const double x = std::floor(std::max(0.0, centre.x - 0.5 * side));
  const double y = std::floor(std::max(0.0, centre.y - 0.43 * side));
  const cv::Rect2f square(static_cast<float>(x), static_cast<float>(y),
                          static_cast<float>(std::min(side, seen.width + x)),
                          static_cast<float>(std::min(side, seen.height + y)));

  // extractFaceTensors: clipped to the image, cut out.
  const cv::Rect region = faceapi_clip_box(square, rgb.size());
  check(!region.empty(), what, "face-api's crop falls outside the image");
  cv::Mat crop = resize_bilinear_legacy(faceapi_pad_to_square(rgb(region), true), size.height, size.width);
  crop.convertTo(crop, CV_8UC3);
  return crop;
}

}  // namespace facekit
