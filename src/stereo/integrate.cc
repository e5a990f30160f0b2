// Depth from normals: Frankot–Chellappa (FFT) and masked Poisson (sparse
// least squares).
#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>
#include <cmath>
#include <numbers>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

namespace {

// nz below this (≈ 84° from the camera axis) is clamped: the gradient of an
// edge-on normal is infinite.
constexpr double kMinNz = 0.1;

void check_maps(const cv::Mat& normals, const cv::Mat& mask, const std::string& who) {
  check(normals.type() == CV_32FC3, who, "normals must be CV_32FC3");
  check(mask.type() == CV_8UC1 && mask.size() == normals.size(), who, "mask must be CV_8U of the normals' size");
}

// The gradients along image columns and rows (rows run down, so ∂z/∂row = −∂z/∂y).
void pixel_gradients(const cv::Mat& normals, const cv::Mat& mask, cv::Mat& along_columns, cv::Mat& along_rows) {
  cv::Mat dzdx, dzdy;
  normals_to_gradients(normals, mask, dzdx, dzdy);
  dzdx.convertTo(along_columns, CV_64F);
  dzdy.convertTo(along_rows, CV_64F, -1);
}

// Zero mean over the mask, 0 outside, as CV_32F.
cv::Mat centred(const cv::Mat& depth64, const cv::Mat& mask) {
  const double mean = cv::mean(depth64, mask)[0];
  cv::Mat out = cv::Mat::zeros(depth64.size(), CV_32F);
  cv::Mat shifted = depth64 - mean;
  shifted.convertTo(out, CV_32F);
  out.setTo(0, mask == 0);
  return out;
}

}  // namespace

void normals_to_gradients(const cv::Mat& normals, const cv::Mat& mask, cv::Mat& dzdx, cv::Mat& dzdy) {
  check_maps(normals, mask, "normals_to_gradients");
  dzdx = cv::Mat::zeros(normals.size(), CV_32F);
  dzdy = cv::Mat::zeros(normals.size(), CV_32F);
  for (int y = 0; y < normals.rows; ++y)
    for (int x = 0; x < normals.cols; ++x) {
      if (!mask.at<uchar>(y, x)) continue;
      const cv::Vec3f n = normals.at<cv::Vec3f>(y, x);
      const double nz = std::max<double>(n[2], kMinNz);
      dzdx.at<float>(y, x) = static_cast<float>(-n[0] / nz);
      dzdy.at<float>(y, x) = static_cast<float>(-n[1] / nz);
    }
}

cv::Mat integrate_frankot_chellappa(const cv::Mat& normals, const cv::Mat& mask) {
  check_maps(normals, mask, "integrate_frankot_chellappa");
  check_stereo_size(normals.size(), 1, "integrate_frankot_chellappa");
  check(cv::countNonZero(mask) > 0, "integrate_frankot_chellappa", "the mask is empty");
  cv::Mat gu, gv;
  pixel_gradients(normals, mask, gu, gv);
  const int w = normals.cols, h = normals.rows;
  // The even extension of z mirrors ∂z/∂column oddly across columns and
  // evenly across rows (and ∂z/∂row the other way), which makes the doubled
  // field periodic.
  cv::Mat eu(2 * h, 2 * w, CV_64F), ev(2 * h, 2 * w, CV_64F);
  for (int r = 0; r < 2 * h; ++r)
    for (int c = 0; c < 2 * w; ++c) {
      const bool flip_r = r >= h, flip_c = c >= w;
      const int sr = flip_r ? 2 * h - 1 - r : r, sc = flip_c ? 2 * w - 1 - c : c;
      eu.at<double>(r, c) = (flip_c ? -1 : 1) * gu.at<double>(sr, sc);
      ev.at<double>(r, c) = (flip_r ? -1 : 1) * gv.at<double>(sr, sc);
    }
  cv::Mat fu, fv;
  cv::dft(eu, fu, cv::DFT_COMPLEX_OUTPUT);
  cv::dft(ev, fv, cv::DFT_COMPLEX_OUTPUT);
  cv::Mat fz(fu.size(), CV_64FC2);
  const double two_pi = 2 * std::numbers::pi;
  for (int r = 0; r < 2 * h; ++r) {
    const double wv = two_pi * (r < h ? r : r - 2 * h) / (2 * h);
    for (int c = 0; c < 2 * w; ++c) {
      const double wu = two_pi * (c < w ? c : c - 2 * w) / (2 * w);
      const double d = wu * wu + wv * wv;
      const cv::Vec2d a = fu.at<cv::Vec2d>(r, c), b = fv.at<cv::Vec2d>(r, c);
      // Z = −i (ωu Gu + ωv Gv) / (ωu² + ωv²); the mean (ω = 0) is free.
      fz.at<cv::Vec2d>(r, c) = d == 0 ? cv::Vec2d(0, 0)
                                      : cv::Vec2d((wu * a[1] + wv * b[1]) / d, -(wu * a[0] + wv * b[0]) / d);
    }
  }
  cv::Mat z;
  cv::dft(fz, z, cv::DFT_INVERSE | cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
  return centred(z(cv::Rect(0, 0, w, h)), mask);
}

cv::Mat integrate_poisson(const cv::Mat& normals, const cv::Mat& mask) {
  check_maps(normals, mask, "integrate_poisson");
  check_stereo_size(normals.size(), 1, "integrate_poisson");
  cv::Mat gu, gv;
  pixel_gradients(normals, mask, gu, gv);
  const int w = normals.cols, h = normals.rows;
  cv::Mat index(h, w, CV_32S, cv::Scalar(-1));
  int unknowns = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (mask.at<uchar>(y, x)) index.at<int>(y, x) = unknowns++;
  check(unknowns > 0, "integrate_poisson", "the mask is empty");

  // Normal equations of the neighbour differences: a graph Laplacian. A tiny
  // ridge makes it definite; since the right side sums to 0 over each
  // connected part, it also gives each part zero mean.
  std::vector<Eigen::Triplet<double>> entries;
  entries.reserve(static_cast<size_t>(unknowns) * 5);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(unknowns);
  auto add_pair = [&](int a, int b, double difference) {  // z_b − z_a = difference
    entries.emplace_back(a, a, 1.0);
    entries.emplace_back(b, b, 1.0);
    entries.emplace_back(a, b, -1.0);
    entries.emplace_back(b, a, -1.0);
    rhs[a] -= difference;
    rhs[b] += difference;
  };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int a = index.at<int>(y, x);
      if (a < 0) continue;
      if (x + 1 < w && index.at<int>(y, x + 1) >= 0)
        add_pair(a, index.at<int>(y, x + 1), (gu.at<double>(y, x) + gu.at<double>(y, x + 1)) / 2);
      if (y + 1 < h && index.at<int>(y + 1, x) >= 0)
        add_pair(a, index.at<int>(y + 1, x), (gv.at<double>(y, x) + gv.at<double>(y + 1, x)) / 2);
    }
  for (int i = 0; i < unknowns; ++i) entries.emplace_back(i, i, 1e-9);
  Eigen::SparseMatrix<double> laplacian(unknowns, unknowns);
  laplacian.setFromTriplets(entries.begin(), entries.end());
  const Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver(laplacian);
  check(solver.info() == Eigen::Success, "integrate_poisson", "the sparse factorisation failed");
  const Eigen::VectorXd z = solver.solve(rhs);

  cv::Mat depth = cv::Mat::zeros(h, w, CV_32F);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (const int i = index.at<int>(y, x); i >= 0) depth.at<float>(y, x) = static_cast<float>(z[i]);
  return depth;
}

}  // namespace facekit::stereo
