// A face's thumbnail: the crop scaled down and JPEG-encoded (gallery.h).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/gallery.h"

namespace facekit {

std::vector<uint8_t> face_thumbnail(const cv::Mat& rgb_crop, int max_side) {
  check(!rgb_crop.empty() && rgb_crop.type() == CV_8UC3, "face_thumbnail", "expected a non-empty 8-bit RGB crop");
  check(max_side >= 1, "face_thumbnail", "the thumbnail size must be at least 1 px");
  const double scale = std::min(1.0, double(max_side) / std::max(rgb_crop.cols, rgb_crop.rows));
  cv::Mat small = rgb_crop;
  if (scale < 1)
    cv::resize(rgb_crop, small,
               cv::Size(std::max(1, int(std::lround(rgb_crop.cols * scale))),
                        std::max(1, int(std::lround(rgb_crop.rows * scale)))),
               0, 0, cv::INTER_AREA);
  cv::Mat bgr;
  cv::cvtColor(small, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> jpeg;
  check(cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90}), "face_thumbnail", "JPEG encoding failed");
  return jpeg;
}

}  // namespace facekit
