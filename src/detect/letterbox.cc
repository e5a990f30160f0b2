#include "detect/letterbox.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"

namespace facekit {

cv::Point2f Letterbox::to_source(cv::Point2f p) const {
  return {(p.x - offset.x) * source.width / content.width, (p.y - offset.y) * source.height / content.height};
}

cv::Rect2f Letterbox::to_source(const cv::Rect2f& box) const {
  const cv::Point2f a = to_source(box.tl()), b = to_source(box.br());
  return {a, b};
}

Letterbox letterbox(const cv::Mat& image, cv::Size target) {
  check(!image.empty() && target.width > 0 && target.height > 0, "letterbox", "empty image or target size");
  const double scale = std::min(double(target.width) / image.cols, double(target.height) / image.rows);
  Letterbox lb;
  lb.source = image.size();
  lb.content = {std::clamp(int(std::lround(image.cols * scale)), 1, target.width),
                std::clamp(int(std::lround(image.rows * scale)), 1, target.height)};
  lb.offset = {(target.width - lb.content.width) / 2, (target.height - lb.content.height) / 2};
  cv::Mat scaled;
  if (lb.content == image.size())
    scaled = image;
  else
    cv::resize(image, scaled, lb.content, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::copyMakeBorder(scaled, lb.image, lb.offset.y, target.height - lb.content.height - lb.offset.y, lb.offset.x,
                     target.width - lb.content.width - lb.offset.x, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return lb;
}

}  // namespace facekit
