#include "align/human_crop.h"

#include "image/human_cut.h"
#include "image/resize_bilinear.h"

namespace facekit {

cv::Mat human_crop(const cv::Mat& rgb, const cv::Rect2f& box, cv::Size size, const std::string& what) {
  const cv::Mat cut = human_cut(rgb, box, what);
  // faceres.ts enhance: resizeBilinear to the network's input, alignCorners false.
  const cv::Mat resized =
      size == cv::Size(kHumanCutSize, kHumanCutSize) ? cut : resize_bilinear_legacy(cut, size.height, size.width);
  cv::Mat out;
  resized.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace facekit
