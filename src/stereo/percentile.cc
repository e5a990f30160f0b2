#include "percentile.h"

#include <algorithm>
#include <vector>

namespace facekit::stereo {

double masked_percentile(const cv::Mat& map, const cv::Mat& mask, double fraction) {
  std::vector<float> values;
  for (int y = 0; y < map.rows; ++y)
    for (int x = 0; x < map.cols; ++x)
      if (mask.at<uchar>(y, x)) values.push_back(map.at<float>(y, x));
  if (values.empty()) return 0;
  const auto k = std::min(values.size() - 1, static_cast<size_t>(fraction * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace facekit::stereo
