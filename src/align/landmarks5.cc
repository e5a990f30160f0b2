// landmarks5_from_68 (temporary home on the faceapi branch; the align helper
// owns it in align.cc).
#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {

std::vector<cv::Point2f> landmarks5_from_68(const std::vector<cv::Point2f>& landmarks68) {
  check(landmarks68.size() == 68, "landmarks5_from_68", "expected 68 points, got " + std::to_string(landmarks68.size()));
  // iBUG 68: 36–41 is the eye on the image's left, 42–47 the other.
  const auto mean_of = [&](int first) {
    cv::Point2f sum(0, 0);
    for (int i = first; i < first + 6; ++i) sum += landmarks68[i];
    return sum / 6.0f;
  };
  return {mean_of(36), mean_of(42), landmarks68[30], landmarks68[48], landmarks68[54]};
}

}  // namespace facekit
