#include "analyze/crop.h"

#include <algorithm>
#include <cmath>

#include "analyze/resample.h"

namespace facekit::analyze {

namespace {

// The kHuman square around `box`, in image pixels.
cv::Rect2f human_square(const cv::Rect2f& box) {
  const float side = kHumanEnlargement * std::max(box.width, box.height);
  const cv::Point2f centre(box.x + box.width / 2, box.y + box.height / 2);
  return {centre.x - side / 2, centre.y - side / 2, side, side};
}

// face-api's extractFaceTensors: the box clipped to the image, whole pixels.
// Clamped in float before the conversion, so that any finite box is safe.
cv::Rect clipped_pixels(const cv::Mat& rgb, const cv::Rect2f& box) {
  const auto clamp_to = [](float v, int hi) { return static_cast<int>(std::clamp(std::floor(v), 0.f, static_cast<float>(hi))); };
  const int left = clamp_to(box.x, rgb.cols), right = clamp_to(box.x + box.width, rgb.cols);
  const int top = clamp_to(box.y, rgb.rows), bottom = clamp_to(box.y + box.height, rgb.rows);
  return {left, top, std::max(0, right - left), std::max(0, bottom - top)};
}

// face-api's own clipping (Box.clipAtImageBorders): the left and top edges
// clamped at 0, the width and height cut at the image's far edges, then each
// of x, y, width and height floored on its own — so the width is
// ⌊right − x⌋, not ⌊right⌋ − ⌊x⌋ (they differ by a pixel for about half of
// the boxes). In double, as JavaScript computes it.
cv::Rect faceapi_pixels(const cv::Mat& rgb, const cv::Rect2f& box) {
  const double x = std::max<double>(box.x, 0), y = std::max<double>(box.y, 0);
  const double width = std::min<double>(double(box.x) + box.width - x, rgb.cols - x);
  const double height = std::min<double>(double(box.y) + box.height - y, rgb.rows - y);
  if (!(x < rgb.cols && y < rgb.rows && width >= 1 && height >= 1)) return {};
  return {static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)), static_cast<int>(std::floor(width)),
          static_cast<int>(std::floor(height))};
}

}  // namespace

cv::Mat crop_face(const cv::Mat& rgb, const cv::Rect2f& box, CropStyle style) {
  if (style == CropStyle::kFaceApi) {
    const cv::Rect inside = faceapi_pixels(rgb, box);
    if (inside.width < 2 || inside.height < 2) return {};
    return to_float(rgb(inside));
  }
  const cv::Rect inside = clipped_pixels(rgb, box);
  if (inside.width < 2 || inside.height < 2) return {};
  // human's cropAndResize of the square with normalised corners; samples
  // outside the image read black, as in tfjs. Only the pixels under the
  // square are converted, with the corners re-expressed relative to them.
  const cv::Rect2f square = human_square(box);
  const cv::Rect under = clipped_pixels(rgb, {square.x - 1, square.y - 1, square.width + 3, square.height + 3});
  const cv::Mat region = rgb(under);
  const float rows = static_cast<float>(region.rows - 1), cols = static_cast<float>(region.cols - 1);
  return crop_and_resize(region, (square.y - under.y) / rows, (square.x - under.x) / cols,
                         (square.y + square.height - under.y) / rows, (square.x + square.width - under.x) / cols,
                         kHumanCropSize, kHumanCropSize);
}

cv::Rect2f faceapi_aligned_box(const std::vector<cv::Point2f>& landmarks68, const cv::Rect2f& detection) {
  constexpr double kPadding = 0.2;  // alignMinBbox's minBoxPadding
  if (landmarks68.size() != 68) return {};
  const double shift_x = detection.x - std::floor(std::max<double>(detection.x, 0));
  const double shift_y = detection.y - std::floor(std::max<double>(detection.y, 0));
  double left = INFINITY, top = INFINITY, right = -INFINITY, bottom = -INFINITY;
  for (const cv::Point2f& p : landmarks68) {
    left = std::min<double>(left, p.x);
    top = std::min<double>(top, p.y);
    right = std::max<double>(right, p.x);
    bottom = std::max<double>(bottom, p.y);
  }
  const double width = right - left, height = bottom - top;
  return cv::Rect2f(static_cast<float>(left + shift_x - width * kPadding / 2),
                    static_cast<float>(top + shift_y - height * kPadding / 2),
                    static_cast<float>(width * (1 + kPadding)), static_cast<float>(height * (1 + kPadding)));
}

float fraction_inside(const cv::Mat& rgb, const cv::Rect2f& box) {
  const cv::Rect2f square = human_square(box);
  const cv::Rect2f overlap = square & cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
  return square.area() > 0 ? overlap.area() / square.area() : 0.f;
}

}  // namespace facekit::analyze
