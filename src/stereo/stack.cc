// The preprocessing entry point: lit images → albedo, normals, depth, and the
// stacked input recognition and training take.
#include "facekit/error.h"
#include "facekit/stereo.h"
#include "percentile.h"

namespace facekit::stereo {

FaceMaps face_maps(const PhotometricInput& input, const StackOptions& options) {
  FaceMaps maps;
  if (input.lights.empty()) {
    PhotometricInput calibrated = input;
    calibrated.lights = estimate_lights(input, options.solve).lights;
    maps.stereo = solve(calibrated, options.solve);
  } else {
    maps.stereo = solve(input, options.solve);
  }
  const StereoResult& s = maps.stereo;
  check(cv::countNonZero(s.mask) > 0, "photometric stereo", "no pixel could be solved (all dark or shadowed)");
  maps.depth = options.poisson ? integrate_poisson(s.normals, s.mask) : integrate_frankot_chellappa(s.normals, s.mask);

  cv::Scalar mean, deviation;
  cv::meanStdDev(maps.depth, mean, deviation, s.mask);
  const double depth_scale = deviation[0] > 0 ? 1 / deviation[0] : 1;
  const double top = masked_percentile(s.albedo, s.mask, 0.995);
  const double albedo_unit = top > 0 ? 1 / top : 1;
  const int h = s.mask.rows, w = s.mask.cols;
  maps.stacked = nn::Tensor(nn::DType::kFloat32, {1, h, w, 5});
  float* out = maps.stacked.data<float>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x, out += 5) {
      if (!s.mask.at<uchar>(y, x)) continue;  // the tensor starts at zero
      const cv::Vec3f n = s.normals.at<cv::Vec3f>(y, x);
      out[0] = static_cast<float>(s.albedo.at<float>(y, x) * albedo_unit);
      out[1] = n[0];
      out[2] = n[1];
      out[3] = n[2];
      out[4] = static_cast<float>((maps.depth.at<float>(y, x) - mean[0]) * depth_scale);
    }
  return maps;
}

}  // namespace facekit::stereo
