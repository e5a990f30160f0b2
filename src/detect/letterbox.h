// Letterboxing: fitting an image into a fixed network input without changing
// its aspect ratio (scaled to fit, centred, the rest black), and mapping the
// network's coordinates back onto the image.
#pragma once

#include <opencv2/core.hpp>

namespace facekit {

struct Letterbox {
  cv::Mat image;          // the input-sized 8-bit image
  cv::Size content;       // the scaled photo inside it, pixels
  cv::Point offset;       // where the photo's top-left corner sits in it
  cv::Size source;        // the original image size

  // A point of the letterboxed image (pixels) in original image pixels.
  cv::Point2f to_source(cv::Point2f p) const;
  // A box of the letterboxed image in original image pixels.
  cv::Rect2f to_source(const cv::Rect2f& box) const;
};

// Scales `image` by min(target.w / w, target.h / h) to the rounded content
// size (area averaging when shrinking, bilinear when enlarging), then pads it
// with black to `target`, offset floor((target − content) / 2). Throws Error
// for an empty image or target.
Letterbox letterbox(const cv::Mat& image, cv::Size target);

}  // namespace facekit
