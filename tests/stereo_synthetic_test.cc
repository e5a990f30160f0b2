// Photometric stereo against synthetic scenes whose shape, albedo and lights
// are known: a sphere, a bumpy height field, and a face-like height field
// whose nose casts shadows. Images are rendered here from the analytic
// surface (not by the code under test), optionally with 2% Gaussian noise.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <random>

#include <unistd.h>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/stereo.h"

namespace facekit::stereo {
namespace {

namespace fs = std::filesystem;
constexpr double kDegrees = 180 / std::numbers::pi;

// A height field z(x, y) over an image (x right, y up, both in pixels from
// the image centre) with its analytic gradient, and where it is defined.
struct Surface {
  std::function<double(double, double)> z;
  std::function<cv::Vec2d(double, double)> gradient;
  std::function<bool(double, double)> defined = [](double, double) { return true; };
};

struct Scene {
  cv::Mat normals, albedo, depth, mask;  // ground truth
  PhotometricInput input;
};

// Pixel (column, row) → surface coordinates.
cv::Point2d surface_point(int column, int row, cv::Size size) {
  return {column - (size.width - 1) / 2.0, (size.height - 1) / 2.0 - row};
}

// Whether the surface blocks the way from (x, y) toward `light`: march in
// half-pixel steps and compare the ray's height with the surface's.
// The march stops once the ray is above `highest`, the surface's maximum.
bool in_cast_shadow(const Surface& s, double x, double y, const cv::Vec3d& light, double reach, double highest) {
  const double planar = std::hypot(light[0], light[1]);
  if (planar < 1e-9) return false;
  const double z0 = s.z(x, y), rise = light[2] / planar;
  for (double t = 1; t < reach && z0 + t * rise <= highest; t += 0.5) {
    const double px = x + t * light[0] / planar, py = y + t * light[1] / planar;
    if (!s.defined(px, py)) continue;
    if (s.z(px, py) > z0 + t * rise + 1e-6) return true;
  }
  return false;
}

Scene render_scene(const Surface& s, cv::Size size, const std::vector<cv::Vec3d>& lights, double noise,
                   bool cast_shadows, unsigned seed = 7) {
  Scene scene;
  scene.normals = cv::Mat::zeros(size, CV_32FC3);
  scene.albedo = cv::Mat::zeros(size, CV_32F);
  scene.depth = cv::Mat::zeros(size, CV_32F);
  scene.mask = cv::Mat::zeros(size, CV_8U);
  for (int r = 0; r < size.height; ++r)
    for (int c = 0; c < size.width; ++c) {
      const cv::Point2d p = surface_point(c, r, size);
      if (!s.defined(p.x, p.y)) continue;
      const cv::Vec2d g = s.gradient(p.x, p.y);
      const cv::Vec3d n = cv::normalize(cv::Vec3d(-g[0], -g[1], 1));
      scene.normals.at<cv::Vec3f>(r, c) = cv::Vec3f(n);
      scene.albedo.at<float>(r, c) = static_cast<float>(0.55 + 0.3 * std::sin(p.x / 7) * std::cos(p.y / 11));
      scene.depth.at<float>(r, c) = static_cast<float>(s.z(p.x, p.y));
      scene.mask.at<uchar>(r, c) = 255;
    }
  std::mt19937 random(seed);
  std::normal_distribution<double> gaussian(0, noise);
  const double reach = size.width + size.height;
  double highest = 0;
  cv::minMaxLoc(scene.depth, nullptr, &highest, nullptr, nullptr, scene.mask);
  for (const cv::Vec3d& light : lights) {
    cv::Mat image = cv::Mat::zeros(size, CV_32F);
    for (int r = 0; r < size.height; ++r)
      for (int c = 0; c < size.width; ++c) {
        const cv::Point2d p = surface_point(c, r, size);
        double value = 0;
        if (scene.mask.at<uchar>(r, c)) {
          const cv::Vec3f n = scene.normals.at<cv::Vec3f>(r, c);
          value = scene.albedo.at<float>(r, c) * std::max(0.0, cv::Vec3d(n).dot(light));
          if (cast_shadows && value > 0 && in_cast_shadow(s, p.x, p.y, light, reach, highest)) value = 0;
        }
        if (noise > 0) value += gaussian(random);
        image.at<float>(r, c) = static_cast<float>(std::clamp(value, 0.0, 1.0));
      }
    scene.input.images.push_back(image);
  }
  scene.input.lights = lights;
  return scene;
}

// Lights on rings around the camera axis: at polar angles `polar_deg`, `per_ring` each.
std::vector<cv::Vec3d> ring_lights(const std::vector<double>& polar_deg, int per_ring) {
  std::vector<cv::Vec3d> lights;
  for (size_t k = 0; k < polar_deg.size(); ++k)
    for (int i = 0; i < per_ring; ++i) {
      const double theta = polar_deg[k] / kDegrees, phi = 2 * std::numbers::pi * (i + 0.5 * k) / per_ring;
      lights.emplace_back(std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi), std::cos(theta));
    }
  return lights;
}

Surface sphere(double radius) {
  return {.z = [=](double x, double y) { return std::sqrt(std::max(0.0, radius * radius - x * x - y * y)); },
          .gradient = [=](double x, double y) {
            const double z = std::sqrt(radius * radius - x * x - y * y);
            return cv::Vec2d(-x / z, -y / z);
          },
          // Up to 70° from the camera axis: beyond, the slope is too steep to integrate.
          .defined = [=](double x, double y) { return std::hypot(x, y) < radius * std::sin(70 / kDegrees); }};
}

Surface bumps() {
  return {.z = [](double x, double y) { return 6 * std::sin(x / 9) * std::cos(y / 7) + 0.05 * x * y / 4; },
          .gradient = [](double x, double y) {
            return cv::Vec2d(6 / 9.0 * std::cos(x / 9) * std::cos(y / 7) + 0.05 * y / 4,
                             -6 / 7.0 * std::sin(x / 9) * std::sin(y / 7) + 0.05 * x / 4);
          }};
}

// A face-like relief: a broad ellipsoidal dome, a ridge of a nose, two eye
// hollows; the nose casts shadows under oblique light.
Surface face() {
  auto gauss = [](double x, double y, double cx, double cy, double sx, double sy) {
    return std::exp(-((x - cx) * (x - cx) / (2 * sx * sx) + (y - cy) * (y - cy) / (2 * sy * sy)));
  };
  auto z = [=](double x, double y) {
    return 30 * gauss(x, y, 0, 0, 28, 36) + 14 * gauss(x, y, 0, 2, 4, 12) - 5 * gauss(x, y, -13, 14, 6, 4) -
           5 * gauss(x, y, 13, 14, 6, 4);
  };
  auto dgauss = [=](double x, double y, double cx, double cy, double sx, double sy) {
    const double g = gauss(x, y, cx, cy, sx, sy);
    return cv::Vec2d(-(x - cx) / (sx * sx) * g, -(y - cy) / (sy * sy) * g);
  };
  auto gradient = [=](double x, double y) {
    return 30 * dgauss(x, y, 0, 0, 28, 36) + 14 * dgauss(x, y, 0, 2, 4, 12) - 5 * dgauss(x, y, -13, 14, 6, 4) -
           5 * dgauss(x, y, 13, 14, 6, 4);
  };
  return {.z = z, .gradient = gradient};
}

struct Errors {
  double mean_angle_deg = 0, albedo_relative = 0, coverage = 0;
};

Errors compare(const Scene& scene, const StereoResult& got) {
  Errors e;
  int truth = 0, both = 0;
  for (int r = 0; r < got.mask.rows; ++r)
    for (int c = 0; c < got.mask.cols; ++c) {
      if (!scene.mask.at<uchar>(r, c)) continue;
      ++truth;
      if (!got.mask.at<uchar>(r, c)) continue;
      ++both;
      const cv::Vec3d a(got.normals.at<cv::Vec3f>(r, c)), b(scene.normals.at<cv::Vec3f>(r, c));
      e.mean_angle_deg += std::acos(std::clamp(a.dot(b), -1.0, 1.0)) * kDegrees;
      e.albedo_relative += std::abs(got.albedo.at<float>(r, c) / scene.albedo.at<float>(r, c) - 1);
    }
  e.coverage = static_cast<double>(both) / truth;
  e.mean_angle_deg /= std::max(both, 1);
  e.albedo_relative /= std::max(both, 1);
  return e;
}

// The measured numbers, for docs/stereo.md.
void report(const char* scene, const Errors& e, double depth_rmse_px = -1, double relief = 1) {
  std::printf("%-34s mean angular error %.3f deg, albedo error %.2f%%, coverage %.1f%%", scene, e.mean_angle_deg,
              100 * e.albedo_relative, 100 * e.coverage);
  if (depth_rmse_px >= 0) std::printf(", depth RMSE %.3f px (%.2f%% of the relief)", depth_rmse_px, 100 * depth_rmse_px / relief);
  std::printf("\n");
}

// RMS depth difference over `mask`, each side at zero mean there.
double depth_rmse(const cv::Mat& got, const cv::Mat& want, const cv::Mat& mask) {
  const double gm = cv::mean(got, mask)[0], wm = cv::mean(want, mask)[0];
  double sum = 0;
  int count = 0;
  for (int r = 0; r < got.rows; ++r)
    for (int c = 0; c < got.cols; ++c)
      if (mask.at<uchar>(r, c)) sum += std::pow((got.at<float>(r, c) - gm) - (want.at<float>(r, c) - wm), 2), ++count;
  return std::sqrt(sum / count);
}

double depth_range(const cv::Mat& depth, const cv::Mat& mask) {
  double low = 0, high = 0;
  cv::minMaxLoc(depth, &low, &high, nullptr, nullptr, mask);
  return high - low;
}

const std::vector<cv::Vec3d> kLights = ring_lights({15, 35, 55}, 6);  // 18 lights up to 55° off axis

TEST(StereoSynthetic, SphereNoiseFree) {
  const Scene scene = render_scene(sphere(40), {100, 100}, kLights, 0, false);
  const StereoResult got = solve(scene.input);
  const Errors e = compare(scene, got);
  EXPECT_LT(e.mean_angle_deg, 0.1);
  EXPECT_LT(e.albedo_relative, 0.01);
  EXPECT_GT(e.coverage, 0.99);
  EXPECT_EQ(cv::countNonZero(got.mask & ~scene.mask), 0) << "background pixels must be masked";
  // Poisson over the mask: depth RMSE under 1% of the sphere's relief.
  const cv::Mat depth = integrate_poisson(got.normals, got.mask);
  const double relief = depth_range(scene.depth, scene.mask);
  const double rmse = depth_rmse(depth, scene.depth, got.mask & scene.mask);
  report("sphere, noise-free (Poisson)", e, rmse, relief);
  EXPECT_LT(rmse, 0.01 * relief);
}

TEST(StereoSynthetic, SphereWithNoise) {
  const Scene scene = render_scene(sphere(40), {100, 100}, kLights, 0.02, false);
  const StereoResult got = solve(scene.input);
  const Errors e = compare(scene, got);
  EXPECT_LT(e.mean_angle_deg, 5);
  EXPECT_LT(e.albedo_relative, 0.05);
  EXPECT_GT(e.coverage, 0.95);
  const cv::Mat depth = integrate_poisson(got.normals, got.mask);
  const double relief = depth_range(scene.depth, scene.mask);
  const double rmse = depth_rmse(depth, scene.depth, got.mask & scene.mask);
  report("sphere, 2% noise (Poisson)", e, rmse, relief);
  EXPECT_LT(rmse, 0.03 * relief);
}

TEST(StereoSynthetic, BumpsBothIntegrators) {
  const Scene scene = render_scene(bumps(), {96, 80}, kLights, 0, true);
  const StereoResult got = solve(scene.input);
  const Errors e = compare(scene, got);
  EXPECT_LT(e.mean_angle_deg, 1);
  EXPECT_LT(e.albedo_relative, 0.01);
  EXPECT_GT(e.coverage, 0.99);
  const double relief = depth_range(scene.depth, scene.mask);
  const double poisson = depth_rmse(integrate_poisson(got.normals, got.mask), scene.depth, got.mask);
  const double fc = depth_rmse(integrate_frankot_chellappa(got.normals, got.mask), scene.depth, got.mask);
  report("bumps, noise-free (Poisson)", e, poisson, relief);
  report("bumps, noise-free (Frankot-Chellappa)", e, fc, relief);
  EXPECT_LT(poisson, 0.01 * relief);
  EXPECT_LT(fc, 0.03 * relief);
}

TEST(StereoSynthetic, FaceWithCastShadows) {
  const Scene scene = render_scene(face(), {96, 112}, kLights, 0, true);
  int shadowed = 0;  // the scene must really have cast shadows for this to test anything
  for (size_t i = 0; i < kLights.size(); ++i) {
    const cv::Mat lambert = render({scene.normals, scene.albedo, scene.mask, {}, {}}, kLights[i]);
    shadowed += cv::countNonZero((lambert > 0.02) & (scene.input.images[i] == 0));
  }
  EXPECT_GT(shadowed, 100);
  const StereoResult got = solve(scene.input);
  const Errors e = compare(scene, got);
  EXPECT_LT(e.mean_angle_deg, 1);
  EXPECT_LT(e.albedo_relative, 0.01);
  EXPECT_GT(e.coverage, 0.99);
  const cv::Mat depth = integrate_poisson(got.normals, got.mask);
  const double relief = depth_range(scene.depth, scene.mask);
  const double rmse = depth_rmse(depth, scene.depth, got.mask);
  report("face, cast shadows (Poisson)", e, rmse, relief);
  EXPECT_LT(rmse, 0.01 * relief);
}

TEST(StereoSynthetic, FaceWithCastShadowsAndNoise) {
  const Scene scene = render_scene(face(), {96, 112}, kLights, 0.02, true);
  const Errors e = compare(scene, solve(scene.input));
  report("face, cast shadows, 2% noise", e);
  EXPECT_LT(e.mean_angle_deg, 5);
  EXPECT_LT(e.albedo_relative, 0.05);
  EXPECT_GT(e.coverage, 0.95);
}

TEST(StereoSynthetic, AmbientIsSubtracted) {
  Scene scene = render_scene(bumps(), {64, 64}, kLights, 0, false);
  scene.input.ambient = cv::Mat(scene.mask.size(), CV_32F, cv::Scalar(0.1));
  for (cv::Mat& image : scene.input.images) image += 0.1;
  EXPECT_LT(compare(scene, solve(scene.input)).mean_angle_deg, 0.5);
}

TEST(StereoSynthetic, SaturatedObservationsAreLeftOut) {
  Scene scene = render_scene(bumps(), {64, 64}, kLights, 0, false);
  for (cv::Mat& image : scene.input.images) {
    image *= 1.6;  // brightest observations clip at 1
    cv::threshold(image, image, 1.0, 1.0, cv::THRESH_TRUNC);
  }
  EXPECT_GT(cv::countNonZero(scene.input.images[0] >= 1.0f), 50);
  EXPECT_LT(compare(scene, solve(scene.input)).mean_angle_deg, 0.5);
}

TEST(StereoSynthetic, RenderReproducesAnUnshadowedView) {
  const Scene scene = render_scene(bumps(), {64, 64}, kLights, 0, false);
  const StereoResult got = solve(scene.input);
  const cv::Mat rendered = render(got, kLights[0]);
  EXPECT_LT(cv::norm(rendered, scene.input.images[0], cv::NORM_INF, got.mask), 1e-3);
  EXPECT_LT(cv::mean(got.residual, got.mask)[0], 1e-4);
}

TEST(StereoSynthetic, UncalibratedRecoversTheLights) {
  // Lights within 30°: most pixels are lit in every image. (The bumps are
  // no good here: a separable sinusoid stays integrable under more than
  // the bas-relief transforms, since its z_xx ∝ z_yy.)
  const auto lights = ring_lights({12, 30}, 5);
  const Scene scene = render_scene(face(), {80, 96}, lights, 0, false);
  PhotometricInput unlit = scene.input;
  unlit.lights.clear();
  const UncalibratedResult estimated = estimate_lights(unlit);
  ASSERT_EQ(estimated.lights.size(), lights.size());
  double worst = 0;
  for (size_t i = 0; i < lights.size(); ++i)
    worst = std::max(worst, std::acos(std::clamp(estimated.lights[i].dot(lights[i]), -1.0, 1.0)) * kDegrees);
  EXPECT_LT(worst, 1.0);
  const FaceMaps maps = face_maps(unlit);
  EXPECT_LT(compare(scene, maps.stereo).mean_angle_deg, 1.0);
}

TEST(StereoSynthetic, FaceMapsStackChannels) {
  const Scene scene = render_scene(face(), {48, 56}, kLights, 0, true);
  const FaceMaps maps = face_maps(scene.input);
  ASSERT_EQ(maps.stacked.shape(), (nn::Shape{1, 56, 48, 5}));
  const float* t = maps.stacked.data<float>();
  const int centre = (28 * 48 + 24) * 5;
  const cv::Vec3f n = maps.stereo.normals.at<cv::Vec3f>(28, 24);
  EXPECT_FLOAT_EQ(t[centre + 1], n[0]);
  EXPECT_FLOAT_EQ(t[centre + 3], n[2]);
  EXPECT_GT(t[centre + 0], 0.1f);
  EXPECT_LE(t[centre + 0], 1.5f);
  EXPECT_GT(t[centre + 4], 0.5f) << "the nose is above the mean depth";
}

// ---- Bad input ------------------------------------------------------------

TEST(StereoBadInput, FewerThanThreeImages) {
  Scene scene = render_scene(bumps(), {16, 16}, ring_lights({30}, 2), 0, false);
  EXPECT_THROW(solve(scene.input), Error);
}

TEST(StereoBadInput, MismatchedSizesNameTheImage) {
  Scene scene = render_scene(bumps(), {16, 16}, ring_lights({30}, 4), 0, false);
  scene.input.images[2] = cv::Mat::zeros(15, 16, CV_32F);
  scene.input.names = {"a.png", "b.png", "c.png", "d.png"};
  try {
    solve(scene.input);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.png"), std::string::npos) << e.what();
  }
}

TEST(StereoBadInput, CoplanarOrRepeatedLights) {
  const std::vector<std::vector<cv::Vec3d>> bad = {
      {cv::normalize(cv::Vec3d(1, 0, 1)), cv::normalize(cv::Vec3d(-1, 0, 1)), cv::Vec3d(0, 0, 1)},  // one plane
      {cv::Vec3d(0, 0, 1), cv::Vec3d(0, 0, 1), cv::normalize(cv::Vec3d(1, 1, 1))},                  // repeated
  };
  for (const auto& lights : bad) {
    Scene scene = render_scene(bumps(), {16, 16}, lights, 0, false);
    EXPECT_THROW(solve(scene.input), Error);
  }
  Scene zero = render_scene(bumps(), {16, 16}, ring_lights({30}, 3), 0, false);
  zero.input.lights[1] = cv::Vec3d(0, 0, 0);
  EXPECT_THROW(solve(zero.input), Error);
}

TEST(StereoBadInput, DarkPixelsAreMaskedNotErrors) {
  Scene scene = render_scene(bumps(), {32, 32}, kLights, 0, false);
  for (cv::Mat& image : scene.input.images) image(cv::Rect(4, 4, 8, 8)).setTo(0);
  // Lit in only two images: too few to solve.
  for (size_t i = 2; i < scene.input.images.size(); ++i) scene.input.images[i](cv::Rect(20, 20, 4, 4)).setTo(0);
  const StereoResult got = solve(scene.input);
  EXPECT_EQ(cv::countNonZero(got.mask(cv::Rect(4, 4, 8, 8))), 0);
  EXPECT_EQ(cv::countNonZero(got.mask(cv::Rect(20, 20, 4, 4))), 0);
  EXPECT_EQ(cv::countNonZero(got.mask), 32 * 32 - 64 - 16);
  EXPECT_TRUE(cv::checkRange(got.normals) && cv::checkRange(got.albedo));
}

TEST(StereoBadInput, AllDarkImagesGiveAnEmptyMask) {
  PhotometricInput input;
  input.lights = ring_lights({30}, 4);
  for (int i = 0; i < 4; ++i) input.images.push_back(cv::Mat::zeros(8, 8, CV_32F));
  EXPECT_EQ(cv::countNonZero(solve(input).mask), 0);
  EXPECT_THROW(face_maps(input), Error);
  EXPECT_THROW(integrate_poisson(cv::Mat::zeros(8, 8, CV_32FC3), cv::Mat::zeros(8, 8, CV_8U)), Error);
}

// ---- Lights ---------------------------------------------------------------

TEST(StereoLights, YaleBNames) {
  const auto l = yaleb_light("/data/yaleB01/yaleB01_P00A+035E-20.pgm");
  ASSERT_TRUE(l.has_value());
  const double a = 35 / kDegrees, e = -20 / kDegrees;
  EXPECT_NEAR((*l)[0], -std::cos(e) * std::sin(a), 1e-12);  // positive azimuth lights the image's left
  EXPECT_NEAR((*l)[1], std::sin(e), 1e-12);
  EXPECT_NEAR((*l)[2], std::cos(e) * std::cos(a), 1e-12);
  EXPECT_FALSE(yaleb_light("yaleB01_P00_Ambient.pgm").has_value());
  EXPECT_TRUE(is_yaleb_ambient("x/yaleB01_P00_Ambient.pgm"));
  EXPECT_FALSE(is_yaleb_ambient("x/yaleB01_P00A+000E+00.pgm"));
  EXPECT_NEAR(cv::norm(light_from_azimuth_elevation(0, 90) - cv::Vec3d(0, 1, 0)), 0, 1e-12);
}

class StereoLightFile : public ::testing::Test {
 protected:
  fs::path file = fs::temp_directory_path() / ("facekit_stereo_lights_" + std::to_string(::getpid()) + ".txt");
  void write(const std::string& text) { std::ofstream(file) << text; }
  void TearDown() override { fs::remove(file); }
};

TEST_F(StereoLightFile, ReadsBothForms) {
  write("# lights\n0 0 2\n\n35 -20  # azimuth elevation\n");
  const auto lights = read_lights(file.string());
  ASSERT_EQ(lights.size(), 2u);
  EXPECT_NEAR(cv::norm(lights[0] - cv::Vec3d(0, 0, 1)), 0, 1e-12);
  EXPECT_NEAR(cv::norm(lights[1] - light_from_azimuth_elevation(35, -20)), 0, 1e-12);
  write_lights(file.string(), lights);
  const auto again = read_lights(file.string());
  EXPECT_NEAR(cv::norm(again[1] - lights[1]), 0, 1e-5);
}

TEST_F(StereoLightFile, ErrorsNameFileAndLine) {
  for (const char* bad : {"0 0 1\n1 0 1\n0 x 1\n", "0 0 1\n1 0 1\n1 2 3 4\n", "0 0 1\n0 0 1\n0 0 0\n"}) {
    write(bad);
    try {
      read_lights(file.string());
      FAIL() << "no error for " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(file.string() + ":3"), std::string::npos) << e.what();
    }
  }
  write("# nothing\n");
  EXPECT_THROW(read_lights(file.string()), Error);
  EXPECT_THROW(read_lights((file.string() + ".missing")), Error);
}

// ---- Reading images ---------------------------------------------------------

TEST(StereoInput, FilesNamesAndSizes) {
  const fs::path dir = fs::temp_directory_path() / ("facekit_stereo_in_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto make = [&](const std::string& name, int width) {
    write_image((dir / name).string(), cv::Mat(8, width, CV_8UC3, cv::Scalar(51, 51, 51)));
    return (dir / name).string();
  };
  const std::string a = make("s_P00A+000E+00.png", 8), b = make("s_P00A-035E+20.png", 8),
                    c = make("s_P00A+035E-20.png", 8), ambient = make("s_P00_Ambient.png", 8),
                    wide = make("s_P00A+010E+00.png", 9), plain = make("plain.png", 8);
  const PhotometricInput input = read_input({ambient, a, b, c}, "", true);
  ASSERT_EQ(input.images.size(), 3u);
  EXPECT_FALSE(input.ambient.empty());
  EXPECT_NEAR(input.images[0].at<float>(0, 0), 0.2, 1e-6);
  EXPECT_NEAR(cv::norm(input.lights[1] - light_from_azimuth_elevation(-35, 20)), 0, 1e-12);
  auto error_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of([&] { read_input({a, b, wide}, "", true); }).find(wide), std::string::npos);
  EXPECT_NE(error_of([&] { read_input({a, b, plain}, "", true); }).find(plain), std::string::npos);
  EXPECT_NE(error_of([&] { read_input({a, b, (dir / "missing.png").string()}, "", false); }).find("missing.png"),
            std::string::npos);
  const std::string lights = (dir / "lights.txt").string();
  std::ofstream(lights) << "0 0 1\n1 0 1\n";
  EXPECT_NE(error_of([&] { read_input({a, b, c}, lights, false); }).find(lights), std::string::npos);
  fs::remove_all(dir);
}

// ---- Outputs --------------------------------------------------------------

TEST(StereoOutputs, FilesHaveTheirFormats) {
  const Scene scene = render_scene(sphere(12), {32, 32}, kLights, 0, false);
  const StereoResult got = solve(scene.input);
  const cv::Mat depth = integrate_poisson(got.normals, got.mask);
  const fs::path dir = fs::temp_directory_path() / ("facekit_stereo_out_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  write_npy((dir / "n.npy").string(), got.normals);
  std::ifstream npy(dir / "n.npy", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(npy)), {});
  const size_t header = 10 + static_cast<unsigned char>(bytes[8]) + 256 * static_cast<unsigned char>(bytes[9]);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(header % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (32, 32, 3)"), std::string::npos);
  EXPECT_EQ(bytes.size(), header + 32 * 32 * 3 * 4);

  const cv::Mat u16 = depth_to_u16(depth, got.mask);
  write_u16((dir / "d.png").string(), u16);
  const cv::Mat back = cv::imread((dir / "d.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(back.type(), CV_16UC1);
  EXPECT_EQ(cv::norm(back, u16, cv::NORM_INF), 0);
  double low = 0, high = 0;
  cv::minMaxLoc(back, &low, &high, nullptr, nullptr, got.mask);
  EXPECT_EQ(low, 1);
  EXPECT_EQ(high, 65535);
  EXPECT_EQ(cv::countNonZero(back), cv::countNonZero(got.mask));

  write_ply((dir / "m.ply").string(), depth, got.albedo, got.mask);
  std::ifstream ply(dir / "m.ply", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(ply)), {});
  EXPECT_NE(text.find("element vertex " + std::to_string(cv::countNonZero(got.mask)) + "\n"), std::string::npos);

  const cv::Mat rgb = normals_to_rgb(got.normals, got.mask);
  const cv::Vec3b centre = rgb.at<cv::Vec3b>(16, 16);  // nearly (0, 0, 1) → (128, 128, 255)
  EXPECT_NEAR(centre[0], 128, 6);
  EXPECT_NEAR(centre[2], 255, 1);
  EXPECT_THROW(write_u16((dir / "nowhere" / "d.png").string(), u16), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace facekit::stereo
