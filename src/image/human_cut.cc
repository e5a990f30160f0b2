#include "image/human_cut.h"

#include <algorithm>
#include <cmath>

#include "facekit/error.h"
#include "image/crop_and_resize.h"

namespace facekit {

namespace {

constexpr double kEnlargement = 1.4;  // human's face.detector.scale

// JavaScript's Math.round: halves go up, also below zero.
double js_round(double v) { return std::floor(v + 0.5); }

}  // namespace

cv::Rect2f human_square(const cv::Rect2f& box) {
  // In double, as JavaScript computes: enlargeBox keeps the centre and scales
  // the size, squarifyBox takes the longer side about the same centre.
  const double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
  const double half = kEnlargement * std::max<double>(box.width, box.height) / 2;
  const double x0 = js_round(cx - half), y0 = js_round(cy - half);
  const double x1 = js_round(cx + half), y1 = js_round(cy + half);
  return {static_cast<float>(x0), static_cast<float>(y0), static_cast<float>(x1 - x0), static_cast<float>(y1 - y0)};
}

cv::Mat human_cut(const cv::Mat& rgb, const cv::Rect2f& box, const std::string& what) {
  check(std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.width) && std::isfinite(box.height) &&
            box.width > 0 && box.height > 0,
        what, "human's crop needs a non-empty, finite face box");
  const cv::Rect2f square = human_square(box);
  check(square.x < rgb.cols && square.y < rgb.rows && square.x + square.width > 0 && square.y + square.height > 0,
        what, "the face box's square holds no pixel of the image");
  // cutAndResize normalises the corners by the image size; cropAndResize
  // reads at corner · (size − 1). Only the pixels under the square are
  // converted to float: the corners are re-expressed in that region's
  // coordinates, which gives the same sampling positions.
  const double scale_y = (rgb.rows - 1.0) / rgb.rows, scale_x = (rgb.cols - 1.0) / rgb.cols;
  const double top = square.y * scale_y, left = square.x * scale_x;
  const double bottom = (square.y + square.height) * scale_y, right = (square.x + square.width) * scale_x;
  const auto clamp_to = [](double v, int hi) { return std::clamp(static_cast<int>(std::floor(v)), 0, hi); };
  const int r0 = clamp_to(top, rgb.rows - 1), r1 = clamp_to(std::ceil(bottom), rgb.rows - 1);
  const int c0 = clamp_to(left, rgb.cols - 1), c1 = clamp_to(std::ceil(right), rgb.cols - 1);
  const cv::Mat region = rgb(cv::Range(r0, r1 + 1), cv::Range(c0, c1 + 1));
  const double rows = std::max(region.rows - 1, 1), cols = std::max(region.cols - 1, 1);
  // Sampling positions outside the region (and so outside the image, since
  // the region reaches the image's edge wherever the square passes it) read 0.
  return crop_and_resize(region, static_cast<float>((top - r0) / rows), static_cast<float>((left - c0) / cols),
                         static_cast<float>((bottom - r0) / rows), static_cast<float>((right - c0) / cols),
                         kHumanCutSize, kHumanCutSize);
}

}  // namespace facekit
