// Re-rendering the recovered face under a new light.
#include <cmath>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

cv::Mat render(const StereoResult& result, const cv::Vec3d& light) {
  check(result.normals.type() == CV_32FC3 && result.albedo.type() == CV_32F && result.mask.type() == CV_8U &&
            result.albedo.size() == result.normals.size() && result.mask.size() == result.normals.size(),
        "render", "expected a StereoResult from solve()");
  check(std::isfinite(light[0]) && std::isfinite(light[1]) && std::isfinite(light[2]), "render",
        "the light direction is not finite");
  cv::Mat image = cv::Mat::zeros(result.normals.size(), CV_32F);
  for (int y = 0; y < image.rows; ++y) {
    const cv::Vec3f* n = result.normals.ptr<cv::Vec3f>(y);
    const float* albedo = result.albedo.ptr<float>(y);
    const uchar* mask = result.mask.ptr<uchar>(y);
    float* out = image.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x)
      if (mask[x]) out[x] = static_cast<float>(albedo[x] * std::max(0.0, n[x][0] * light[0] + n[x][1] * light[1] +
                                                                          n[x][2] * light[2]));
  }
  return image;
}

}  // namespace facekit::stereo
