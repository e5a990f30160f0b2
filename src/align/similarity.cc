// Least-squares similarity transform between two point sets (Umeyama 1991,
// "Least-squares estimation of transformation parameters between two point
// patterns", IEEE PAMI 13(4)), in 2-D.
#include <cmath>

#include <Eigen/Dense>

#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {

namespace {

using Points = Eigen::Matrix<double, 2, Eigen::Dynamic>;

Points to_matrix(const std::vector<cv::Point2f>& points, const std::string& what) {
  Points m(2, static_cast<Eigen::Index>(points.size()));
  for (size_t i = 0; i < points.size(); ++i) {
    check(std::isfinite(points[i].x) && std::isfinite(points[i].y), what,
          "point " + std::to_string(i) + " is not finite");
    m.col(static_cast<Eigen::Index>(i)) << points[i].x, points[i].y;
  }
  return m;
}

// Mean squared distance of the points to their centroid, relative to the
// scale of their coordinates: zero (to rounding) when they all coincide.
bool all_coincident(const Points& centred, const Points& points) {
  const double spread = centred.squaredNorm();
  const double scale = std::max(1.0, points.squaredNorm());
  return spread <= 1e-14 * scale;
}

}  // namespace

cv::Mat similarity_transform(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to) {
  const std::string what = "similarity transform";
  check(from.size() == to.size(), what,
        std::to_string(from.size()) + " source points but " + std::to_string(to.size()) + " target points");
  check(from.size() >= 2, what, "needs at least 2 point pairs, got " + std::to_string(from.size()));
  const Points x = to_matrix(from, what + " source");
  const Points y = to_matrix(to, what + " target");
  const double n = static_cast<double>(from.size());

  const Eigen::Vector2d mean_x = x.rowwise().mean();
  const Eigen::Vector2d mean_y = y.rowwise().mean();
  const Points xc = x.colwise() - mean_x;
  const Points yc = y.colwise() - mean_y;
  check(!all_coincident(xc, x), what, "the source points all coincide");
  check(!all_coincident(yc, y), what, "the target points all coincide");

  // Cross-covariance; its SVD gives the best rotation. A reflection would fit
  // mirrored points better, so the last singular direction is flipped when
  // needed (the S matrix of Umeyama's theorem).
  const Eigen::Matrix2d sigma = yc * xc.transpose() / n;
  const Eigen::JacobiSVD<Eigen::Matrix2d> svd(sigma, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Vector2d s(1, 1);
  if (svd.matrixU().determinant() * svd.matrixV().determinant() < 0) s(1) = -1;
  const Eigen::Matrix2d rotation = svd.matrixU() * s.asDiagonal() * svd.matrixV().transpose();
  const double variance_x = xc.squaredNorm() / n;
  const double scale = svd.singularValues().dot(s) / variance_x;
  const Eigen::Vector2d translation = mean_y - scale * rotation * mean_x;

  cv::Mat m(2, 3, CV_64F);
  for (int r = 0; r < 2; ++r) {
    m.at<double>(r, 0) = scale * rotation(r, 0);
    m.at<double>(r, 1) = scale * rotation(r, 1);
    m.at<double>(r, 2) = translation(r);
  }
  return m;
}

}  // namespace facekit
