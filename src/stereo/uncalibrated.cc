// Uncalibrated photometric stereo: lights from the images alone, up to the
// generalised bas-relief (GBR) ambiguity, resolved by equal light intensities.
#include <Eigen/Dense>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

namespace {

constexpr int kMinPixels = 100;
constexpr int kMinImages = 6;
constexpr double kSmoothingSigma = 1.5;  // pixels

// e_i ∂e_j − e_j ∂e_i for (i, j) = (0,1), (0,2), (1,2).
Eigen::Vector3d cross_terms(const Eigen::Vector3d& e, const Eigen::Vector3d& de) {
  return {e[0] * de[1] - e[1] * de[0], e[0] * de[2] - e[2] * de[0], e[1] * de[2] - e[2] * de[1]};
}

}  // namespace

UncalibratedResult estimate_lights(const PhotometricInput& input, const SolveOptions& options) {
  const int n = static_cast<int>(input.images.size());
  check(n >= kMinImages, "uncalibrated photometric stereo",
        "needs at least " + std::to_string(kMinImages) + " images, got " + std::to_string(n));
  const cv::Size size = input.images.front().size();
  check_stereo_size(size, input.images.size(), "uncalibrated photometric stereo");
  for (int i = 0; i < n; ++i)
    check(input.images[i].type() == CV_32FC1 && input.images[i].size() == size,
          i < static_cast<int>(input.names.size()) ? input.names[i] : "image " + std::to_string(i + 1),
          "expected one-channel float images of one size");

  // Where each image is lit (neither dark nor saturated).
  std::vector<cv::Mat> lit(n);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) {
    cv::Mat value = input.ambient.empty() ? input.images[i] : input.images[i] - input.ambient;
    lit[i] = (value > options.dark) & (input.images[i] < options.saturated);
    if (!input.region.empty()) lit[i] &= input.region;
    order[i] = i;
  }
  // The core: the images lighting the most pixels, added while at least a
  // third of the best-lit image's pixels stay lit in all of them (and
  // never fewer than kMinImages). Grazing lights leave too few such pixels.
  std::vector<int> counts(n);
  for (int i = 0; i < n; ++i) counts[i] = cv::countNonZero(lit[i]);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return counts[a] > counts[b]; });
  std::vector<int> core;
  cv::Mat common = lit[order[0]].clone();
  for (int i : order) {
    const cv::Mat next = common & lit[i];
    if (static_cast<int>(core.size()) >= kMinImages && cv::countNonZero(next) * 3 < counts[order[0]]) continue;
    core.push_back(i);
    common = next;
  }
  const int m = static_cast<int>(core.size());

  // The core observations of every pixel lit in all core images, as rows.
  cv::Mat row_of(size, CV_32S, cv::Scalar(-1));
  std::vector<Eigen::VectorXd> observed;
  std::vector<cv::Point> where;
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      if (!common.at<uchar>(y, x)) continue;
      Eigen::VectorXd v(m);
      for (int k = 0; k < m; ++k)
        v[k] = input.images[core[k]].at<float>(y, x) - (input.ambient.empty() ? 0.0f : input.ambient.at<float>(y, x));
      row_of.at<int>(y, x) = static_cast<int>(observed.size());
      observed.push_back(v);
      where.emplace_back(x, y);
    }
  UncalibratedResult result;
  result.core_images = m;
  result.pixels_used = static_cast<int>(observed.size());
  check(result.pixels_used >= kMinPixels, "uncalibrated photometric stereo",
        "only " + std::to_string(result.pixels_used) + " pixels are lit in every image of the core (needs " +
            std::to_string(kMinPixels) + ")");

  // Rank-3 factorisation I ≈ E·Sᵀ: S the top three eigenvectors of the
  // images' Gram matrix, e = Sᵀ I per pixel.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(m, m);
  for (const auto& v : observed) gram.noalias() += v * v.transpose();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
  const Eigen::MatrixXd s_basis = eigen.eigenvectors().rightCols(3);  // n × 3
  std::vector<Eigen::Vector3d> e(observed.size());
  for (size_t p = 0; p < observed.size(); ++p) e[p] = s_basis.transpose() * observed[p];

  // Differences of noisy pseudo-normals are noisier still: the field is
  // smoothed first (a Gaussian over the core pixels only).
  std::vector<Eigen::Vector3d> smooth(e.size());
  {
    cv::Mat weight = cv::Mat::zeros(size, CV_64F);
    std::vector<cv::Mat> parts;  // one buffer each
    for (int c = 0; c < 3; ++c) parts.push_back(cv::Mat::zeros(size, CV_64F));
    for (size_t p = 0; p < e.size(); ++p) {
      weight.at<double>(where[p]) = 1;
      for (int c = 0; c < 3; ++c) parts[c].at<double>(where[p]) = e[p][c];
    }
    cv::GaussianBlur(weight, weight, cv::Size(), kSmoothingSigma);
    for (auto& part : parts) cv::GaussianBlur(part, part, cv::Size(), kSmoothingSigma);
    for (size_t p = 0; p < e.size(); ++p)
      for (int c = 0; c < 3; ++c) smooth[p][c] = parts[c].at<double>(where[p]) / weight.at<double>(where[p]);
  }

  // Integrability, ∂(b1/b3)/∂y = ∂(b2/b3)/∂x for b = Q e, is linear in the
  // six 2×2 minors of rows (3,1) and (3,2) of Q: one equation per pixel
  // whose four neighbours are lit too (central differences).
  Eigen::Matrix<double, 6, 6> normal = Eigen::Matrix<double, 6, 6>::Zero();
  int equations = 0;
  for (int y = 1; y + 1 < size.height; ++y)
    for (int x = 1; x + 1 < size.width; ++x) {
      const int here = row_of.at<int>(y, x), left = row_of.at<int>(y, x - 1), right = row_of.at<int>(y, x + 1),
                up = row_of.at<int>(y - 1, x), down = row_of.at<int>(y + 1, x);
      if (here < 0 || left < 0 || right < 0 || up < 0 || down < 0) continue;
      Eigen::Matrix<double, 6, 1> row;
      row << cross_terms(smooth[here], smooth[up] - smooth[down]),
          -cross_terms(smooth[here], smooth[right] - smooth[left]);
      normal.noalias() += row * row.transpose();
      ++equations;
    }
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 6, 6>> minors(normal);
  const Eigen::Matrix<double, 6, 1> minor = minors.eigenvectors().col(0);
  // The minors are the cross products Q3 × Q1 and Q3 × Q2; Q3 is normal to
  // both, and Q1, Q2 follow up to multiples of Q3 (the GBR's freedom).
  const Eigen::Vector3d u(minor[2], -minor[1], minor[0]), v(minor[5], -minor[4], minor[3]);
  const Eigen::Vector3d q3 = u.cross(v);
  check(q3.norm() > 1e-9, "uncalibrated photometric stereo", "the integrability constraint is degenerate");
  Eigen::Matrix3d q;
  q.row(0) = u.cross(q3) / q3.squaredNorm();
  q.row(1) = v.cross(q3) / q3.squaredNorm();
  q.row(2) = q3;
  // Images are eᵀs_e = (Q e)ᵀ (Q⁻ᵀ s_e).
  const Eigen::Matrix3d q_inverse_t = q.inverse().transpose();
  std::vector<Eigen::Vector3d> lights(m);
  for (int i = 0; i < m; ++i) lights[i] = q_inverse_t * s_basis.row(i).transpose();

  // Equal intensities: |G s|² is the same for every light, so sᵀ H s = 1
  // for H = c·GᵀG, linear in H's six entries. Then GᵀG = diag(1, 1, 0) + ggᵀ
  // with g = (μ, ν, λ): c is the smaller eigenvalue of H's top-left 2×2
  // block, and g the square root of the rank-one rest.
  Eigen::MatrixXd a(m, 6);
  for (int i = 0; i < m; ++i) {
    const Eigen::Vector3d& s = lights[i];
    a.row(i) << s[0] * s[0], s[1] * s[1], s[2] * s[2], 2 * s[0] * s[1], 2 * s[0] * s[2], 2 * s[1] * s[2];
  }
  const Eigen::VectorXd fit = a.colPivHouseholderQr().solve(Eigen::VectorXd::Ones(m));
  Eigen::Matrix3d h;
  h << fit[0], fit[3], fit[4], fit[3], fit[1], fit[5], fit[4], fit[5], fit[2];
  const double c = Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(h.topLeftCorner<2, 2>()).eigenvalues()[0];
  check(c > 0, "uncalibrated photometric stereo", "no bas-relief transform makes the light intensities equal");
  Eigen::Matrix3d ggt = h / c;
  ggt(0, 0) -= 1;
  ggt(1, 1) -= 1;
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> rank_one(ggt);
  check(rank_one.eigenvalues()[2] > 0, "uncalibrated photometric stereo",
        "no bas-relief transform makes the light intensities equal");
  Eigen::Vector3d g = rank_one.eigenvectors().col(2) * std::sqrt(rank_one.eigenvalues()[2]);
  // g and −g fit alike; the lights are in front of the face.
  double facing = 0;
  for (const auto& s : lights) facing += g.dot(s);
  if (facing < 0) g = -g;
  result.mu = g[0];
  result.nu = g[1];
  result.lambda = g[2];
  for (auto& s : lights) s = Eigen::Vector3d(s[0], s[1], g.dot(s)).normalized();

  // Convex against concave: (nx, ny, nz, lx, ly, lz) and (−nx, −ny, nz,
  // −lx, −ly, lz) give the same images; a face's normals point away from the
  // middle of its lit region.
  Eigen::Matrix3d light_gram = Eigen::Matrix3d::Zero();
  for (const auto& s : lights) light_gram += s * s.transpose();
  const Eigen::Matrix3d gram_inverse = light_gram.inverse();
  std::vector<Eigen::Vector3d> b(observed.size());
  cv::Point2d centre(0, 0);
  for (size_t p = 0; p < observed.size(); ++p) {
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    for (int k = 0; k < m; ++k) sum += observed[p][k] * lights[k];
    b[p] = gram_inverse * sum;
    centre += cv::Point2d(where[p]);
  }
  centre /= static_cast<double>(observed.size());
  double outward = 0;
  for (size_t p = 0; p < observed.size(); ++p)
    outward += b[p][0] * (where[p].x - centre.x) - b[p][1] * (where[p].y - centre.y);  // rows run down
  if (outward < 0) {
    for (auto& s : lights) s = Eigen::Vector3d(-s[0], -s[1], s[2]);
    for (auto& v : b) v = Eigen::Vector3d(-v[0], -v[1], v[2]);
  }

  // The other lights: least squares against the core's pseudo-normals over
  // the core pixels each image lights.
  result.lights.resize(n);
  for (int k = 0; k < m; ++k) result.lights[core[k]] = cv::Vec3d(lights[k][0], lights[k][1], lights[k][2]);
  std::vector<char> in_core(n, 0);
  for (int i : core) in_core[i] = 1;
  for (int i = 0; i < n; ++i) {
    if (in_core[i]) continue;
    Eigen::Matrix3d normal_gram = Eigen::Matrix3d::Zero();
    Eigen::Vector3d rhs = Eigen::Vector3d::Zero();
    int used = 0;
    for (size_t p = 0; p < observed.size(); ++p) {
      const cv::Point at = where[p];
      if (!lit[i].at<uchar>(at)) continue;
      const double value = input.images[i].at<float>(at) - (input.ambient.empty() ? 0.0f : input.ambient.at<float>(at));
      normal_gram += b[p] * b[p].transpose();
      rhs += value * b[p];
      ++used;
    }
    const std::string name = i < static_cast<int>(input.names.size()) ? input.names[i] : "image " + std::to_string(i + 1);
    check(used >= kMinPixels / 5, name, "lights too little of the face's well-lit core to place its light");
    const Eigen::Vector3d s = normal_gram.ldlt().solve(rhs);
    check(s.allFinite() && s.norm() > 0, name, "its light could not be fitted");
    result.lights[i] = cv::Vec3d(s[0], s[1], s[2]) / s.norm();
  }
  return result;
}

}  // namespace facekit::stereo
