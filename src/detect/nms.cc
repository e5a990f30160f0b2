#include "detect/nms.h"

#include <algorithm>
#include <numeric>

namespace facekit {

float overlap(const cv::Rect2f& a, const cv::Rect2f& b, Overlap kind) {
  const float area_a = std::max(a.width, 0.f) * std::max(a.height, 0.f);
  const float area_b = std::max(b.width, 0.f) * std::max(b.height, 0.f);
  const float iw = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
  const float ih = std::min(a.y + a.height, b.y + b.height) - std::max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  const float inter = iw * ih;
  const float denom = kind == Overlap::kUnion ? area_a + area_b - inter : std::min(area_a, area_b);
  return denom > 0 ? inter / denom : 0;
}

float iou(const cv::Rect2f& a, const cv::Rect2f& b) { return overlap(a, b, Overlap::kUnion); }

namespace {
std::vector<int> by_score(const std::vector<Face>& faces) {
  std::vector<int> order(faces.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return faces[a].score > faces[b].score; });
  return order;
}
}  // namespace

std::vector<int> nms(const std::vector<Face>& faces, float threshold, Overlap kind) {
  std::vector<int> kept;
  std::vector<bool> dropped(faces.size(), false);
  for (int i : by_score(faces)) {
    if (dropped[i]) continue;
    kept.push_back(i);
    for (size_t j = 0; j < faces.size(); ++j)
      if (!dropped[j] && static_cast<int>(j) != i && overlap(faces[i].box, faces[j].box, kind) > threshold)
        dropped[j] = true;
  }
  return kept;
}

std::vector<Face> weighted_nms(const std::vector<Face>& faces, float threshold) {
  std::vector<Face> result;
  std::vector<bool> used(faces.size(), false);
  for (int i : by_score(faces)) {
    if (used[i]) continue;
    Face merged = faces[i];
    float total = 0;
    cv::Rect2f box(0, 0, 0, 0);
    std::vector<cv::Point2f> marks(faces[i].landmarks.size(), cv::Point2f(0, 0));
    for (size_t j = 0; j < faces.size(); ++j) {
      if (used[j] || overlap(faces[i].box, faces[j].box, Overlap::kUnion) <= threshold) continue;
      used[j] = true;
      const float w = faces[j].score;
      total += w;
      box.x += w * faces[j].box.x, box.y += w * faces[j].box.y;
      box.width += w * faces[j].box.width, box.height += w * faces[j].box.height;
      for (size_t k = 0; k < marks.size() && k < faces[j].landmarks.size(); ++k) marks[k] += w * faces[j].landmarks[k];
    }
    if (total > 0) {
      merged.box = cv::Rect2f(box.x / total, box.y / total, box.width / total, box.height / total);
      for (size_t k = 0; k < marks.size(); ++k) merged.landmarks[k] = marks[k] / total;
    }
    result.push_back(std::move(merged));
  }
  return result;
}

}  // namespace facekit
