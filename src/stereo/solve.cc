// Calibrated Lambertian photometric stereo: per-pixel least squares over the
// observations that are neither in shadow nor saturated.
#include <Eigen/Dense>
#include <cmath>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

namespace {

std::string image_name(const PhotometricInput& input, size_t i) {
  return i < input.names.size() ? input.names[i] : "image " + std::to_string(i + 1);
}

void check_input(const PhotometricInput& input) {
  const size_t n = input.images.size();
  check(n >= 3, "photometric stereo", "needs at least 3 images, got " + std::to_string(n));
  check(input.lights.size() == n, "photometric stereo",
        std::to_string(input.lights.size()) + " lights for " + std::to_string(n) + " images");
  const cv::Size size = input.images.front().size();
  check(!size.empty(), image_name(input, 0), "the image is empty");
  check_stereo_size(size, n, "photometric stereo");
  for (size_t i = 0; i < n; ++i) {
    const cv::Mat& image = input.images[i];
    check(image.type() == CV_32FC1, image_name(input, i), "expected a one-channel float image");
    check(image.size() == size, image_name(input, i),
          "image is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) + ", the first " +
              std::to_string(size.width) + "x" + std::to_string(size.height));
    check(cv::norm(input.lights[i]) > 1e-12, image_name(input, i), "its light direction is zero");
  }
  if (!input.ambient.empty())
    check(input.ambient.type() == CV_32FC1 && input.ambient.size() == size, "ambient image",
          "expected a one-channel float image of the lit images' size");
  if (!input.region.empty())
    check(input.region.type() == CV_8UC1 && input.region.size() == size, "region",
          "expected a CV_8U mask of the images' size");
}

// Smallest over largest singular value of the lights, as rows.
double conditioning(const Eigen::Matrix3d& gram) {
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eigen;
  eigen.computeDirect(gram, Eigen::EigenvaluesOnly);
  const Eigen::Vector3d v = eigen.eigenvalues();  // ascending
  return v[2] > 0 ? std::sqrt(std::max(0.0, v[0]) / v[2]) : 0;
}

}  // namespace

StereoResult solve(const PhotometricInput& input, const SolveOptions& options) {
  check_input(input);
  const int n = static_cast<int>(input.images.size());
  std::vector<Eigen::Vector3d> lights(n);
  // The six distinct entries of each l·lᵀ, summed per pixel over the kept lights.
  std::vector<Eigen::Matrix<double, 6, 1>> outer(n);
  Eigen::Matrix3d all_gram = Eigen::Matrix3d::Zero();
  for (int i = 0; i < n; ++i) {
    const cv::Vec3d& l = input.lights[i];
    lights[i] = Eigen::Vector3d(l[0], l[1], l[2]).normalized();
    const Eigen::Vector3d& d = lights[i];
    outer[i] << d[0] * d[0], d[0] * d[1], d[0] * d[2], d[1] * d[1], d[1] * d[2], d[2] * d[2];
    all_gram += d * d.transpose();
  }
  const double spread = conditioning(all_gram);
  check(spread >= options.min_conditioning, "photometric stereo",
        "the lights do not span 3-D (coplanar or repeated directions): smallest/largest singular value " +
            std::to_string(spread));

  const cv::Size size = input.images.front().size();
  StereoResult r;
  r.normals = cv::Mat::zeros(size, CV_32FC3);
  r.albedo = cv::Mat::zeros(size, CV_32F);
  r.mask = cv::Mat::zeros(size, CV_8U);
  r.residual = cv::Mat::zeros(size, CV_32F);
  r.kept = cv::Mat::zeros(size, CV_8U);

  cv::parallel_for_(cv::Range(0, size.height), [&](const cv::Range& rows) {
    std::vector<double> raw(n), value(n);
    std::vector<char> keep(n);
    std::vector<const float*> row(n);
    for (int y = rows.start; y < rows.end; ++y) {
      for (int i = 0; i < n; ++i) row[i] = input.images[i].ptr<float>(y);
      const float* ambient = input.ambient.empty() ? nullptr : input.ambient.ptr<float>(y);
      const uchar* region = input.region.empty() ? nullptr : input.region.ptr<uchar>(y);
      for (int x = 0; x < size.width; ++x) {
        if (region && !region[x]) continue;
        for (int i = 0; i < n; ++i) {
          raw[i] = row[i][x];
          value[i] = raw[i] - (ambient ? ambient[x] : 0.0f);
          keep[i] = raw[i] < options.saturated && value[i] > options.dark;
        }
        Eigen::Vector3d g = Eigen::Vector3d::Zero();
        int kept = 0;
        bool solved = false;
        for (int pass = 0; pass <= options.refinements; ++pass) {
          if (pass > 0) {  // leave out what the last solution says is in shadow
            bool changed = false;
            for (int i = 0; i < n; ++i) {
              const char lit = raw[i] < options.saturated && value[i] > options.dark && g.dot(lights[i]) > options.dark;
              changed |= lit != keep[i];
              keep[i] = lit;
            }
            if (!changed) break;  // the same observations give the same solution
          }
          Eigen::Matrix<double, 6, 1> sums = Eigen::Matrix<double, 6, 1>::Zero();
          Eigen::Vector3d rhs = Eigen::Vector3d::Zero();
          kept = 0;
          for (int i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            sums += outer[i];
            rhs += value[i] * lights[i];
            ++kept;
          }
          Eigen::Matrix3d gram;
          gram << sums[0], sums[1], sums[2], sums[1], sums[3], sums[4], sums[2], sums[4], sums[5];
          solved = kept >= 3 && conditioning(gram) >= options.min_conditioning;
          if (!solved) break;
          g = gram.ldlt().solve(rhs);
        }
        r.kept.ptr<uchar>(y)[x] = static_cast<uchar>(std::min(kept, 255));
        const double albedo = g.norm();
        if (!solved || !(albedo > 1e-6)) continue;
        double squared = 0;
        for (int i = 0; i < n; ++i)
          if (keep[i]) squared += std::pow(value[i] - g.dot(lights[i]), 2);
        const Eigen::Vector3d normal = g / albedo;
        r.normals.ptr<cv::Vec3f>(y)[x] = cv::Vec3f(normal[0], normal[1], normal[2]);
        r.albedo.ptr<float>(y)[x] = static_cast<float>(albedo);
        r.residual.ptr<float>(y)[x] = static_cast<float>(std::sqrt(squared / kept));
        r.mask.ptr<uchar>(y)[x] = 255;
      }
    }
  });
  return r;
}

}  // namespace facekit::stereo
