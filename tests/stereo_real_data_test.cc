// Yale B folders as the public set ships them (issue 14, items 7 and 8):
// light codes are parsed strictly and must lie on the dome; an ambient frame
// of another size is left out with a notice; missing lit images are fine.
// The images are rendered here: a Lambertian sphere under the named lights.
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "facekit/error.h"
#include "facekit/notice.h"
#include "facekit/stereo.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit::stereo {
namespace {

namespace fs = std::filesystem;

struct Notices {
  std::vector<std::string> lines;
  NoticeHandler previous = set_notice_handler([this](const std::string& l) { lines.push_back(l); });
  ~Notices() { set_notice_handler(previous); }
};

// The error's message, or "" when `f` does not throw Error.
using facekit::testing::error_of;

TEST(YalebLightCode, ReadsAWellFormedCode) {
  const auto light = yaleb_light("yaleB01/yaleB01_P00A+035E-20.pgm");
  ASSERT_TRUE(light.has_value());
  // By hand: azimuth 35°, elevation -20° → (−cos(−20°)·sin 35°, sin(−20°), cos(−20°)·cos 35°).
  EXPECT_NEAR((*light)[0], -0.9396926 * 0.5735764, 1e-6);
  EXPECT_NEAR((*light)[1], -0.3420201, 1e-6);
  EXPECT_NEAR((*light)[2], 0.9396926 * 0.8191520, 1e-6);
  EXPECT_FALSE(yaleb_light("yaleB01_P00_Ambient.pgm").has_value());
}

TEST(YalebLightCode, RefusesCodesOffTheDomeOrMalformed) {
  // E+200 used to be read as E+20; A+400 and E+95 were accepted.
  for (const char* name : {"yaleB01_P00A+000E+200.pgm", "yaleB01_P00A+400E+00.pgm", "yaleB01_P00A+000E+95.pgm",
                           "yaleB01_P00A+35E+00.pgm"}) {
    const std::string message = error_of([&] { yaleb_light(name); });
    EXPECT_NE(message.find(name), std::string::npos) << name << " → '" << message << "'";
  }
  EXPECT_NE(error_of([] { yaleb_light("yaleB01_P00A+400E+00.pgm"); }).find("azimuth"), std::string::npos);
  EXPECT_NE(error_of([] { yaleb_light("yaleB01_P00A+000E+95.pgm"); }).find("elevation"), std::string::npos);
}

TEST(LightRange, AzimuthElevationOutsideTheDomeOrNotFiniteAreRefused) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(light_from_azimuth_elevation(nan, 0), Error);
  EXPECT_THROW(light_from_azimuth_elevation(0, nan), Error);
  EXPECT_THROW(light_from_azimuth_elevation(181, 0), Error);
  EXPECT_THROW(light_from_azimuth_elevation(0, -91), Error);
  EXPECT_NO_THROW(light_from_azimuth_elevation(-180, 90));
}

TEST(LightRange, RenderRefusesANonFiniteLight) {
  StereoResult r;
  r.normals = cv::Mat(2, 2, CV_32FC3, cv::Scalar(0, 0, 1));
  r.albedo = cv::Mat(2, 2, CV_32F, cv::Scalar(1));
  r.mask = cv::Mat(2, 2, CV_8U, cv::Scalar(255));
  EXPECT_THROW(render(r, {std::nan(""), 0, 1}), Error);
  EXPECT_FLOAT_EQ(render(r, {0, 0, 1}).at<float>(0, 0), 1.f);
}

// A sphere of albedo 0.8 filling a 48x56 image, lit from (azimuth, elevation).
cv::Mat sphere_image(double azimuth, double elevation) {
  const cv::Vec3d l = light_from_azimuth_elevation(azimuth, elevation);
  cv::Mat image(56, 48, CV_8U, cv::Scalar(0));
  const double radius = 30;
  for (int row = 0; row < image.rows; ++row)
    for (int col = 0; col < image.cols; ++col) {
      const double x = col - 23.5, y = 27.5 - row, r2 = x * x + y * y;
      if (r2 >= radius * radius) continue;
      const cv::Vec3d n(x / radius, y / radius, std::sqrt(radius * radius - r2) / radius);
      image.at<uchar>(row, col) = cv::saturate_cast<uchar>(255 * 0.8 * std::max(0.0, n.dot(l)));
    }
  return image;
}

TEST(YalebFolder, AmbientOfAnotherSizeIsLeftOutAndMissingLightsAreFine) {
  testing::TempDir dir("yaleb_real");
  // Nine of the dome's lights (a subject missing the others) and a 640x480 ambient frame.
  const std::vector<std::pair<int, int>> lights = {{0, 0},   {25, 0},  {-25, 0}, {0, 20},  {0, -20},
                                                   {50, 10}, {-50, 10}, {20, 40}, {-20, -35}};
  std::vector<std::string> paths;
  for (const auto& [a, e] : lights) {
    char name[64];
    std::snprintf(name, sizeof name, "yaleB11_P00A%+04dE%+03d.pgm", a, e);
    paths.push_back((dir.path / name).string());
    ASSERT_TRUE(cv::imwrite(paths.back(), sphere_image(a, e)));
  }
  paths.push_back((dir.path / "yaleB11_P00_Ambient.pgm").string());
  ASSERT_TRUE(cv::imwrite(paths.back(), cv::Mat(480, 640, CV_8U, cv::Scalar(3))));

  Notices notices;
  const PhotometricInput input = read_input(paths, "", /*yaleb=*/true);
  EXPECT_EQ(input.images.size(), lights.size());
  EXPECT_TRUE(input.ambient.empty());
  ASSERT_EQ(notices.lines.size(), 1u);
  EXPECT_NE(notices.lines[0].find("_Ambient.pgm: the ambient image is 640x480, the lit images 48x56"),
            std::string::npos)
      << notices.lines[0];

  const StereoResult result = solve(input);
  // The sphere's centre faces the camera: its recovered normal is (0, 0, 1)
  // within the 8-bit rounding of the images.
  ASSERT_TRUE(result.mask.at<uchar>(28, 24));
  const cv::Vec3f n = result.normals.at<cv::Vec3f>(28, 24);
  EXPECT_NEAR(n[2], 1.0, 0.01);
  EXPECT_NEAR(result.albedo.at<float>(28, 24), 0.8, 0.02);
}

TEST(YalebFolder, AmbientOfTheSameSizeIsStillSubtracted) {
  testing::TempDir dir("yaleb_same");
  std::vector<std::string> paths;
  for (const auto& [a, e] : std::vector<std::pair<int, int>>{{0, 0}, {25, 0}, {-25, 0}, {0, 20}}) {
    char name[64];
    std::snprintf(name, sizeof name, "yaleB01_P00A%+04dE%+03d.pgm", a, e);
    paths.push_back((dir.path / name).string());
    ASSERT_TRUE(cv::imwrite(paths.back(), sphere_image(a, e)));
  }
  paths.push_back((dir.path / "yaleB01_P00_Ambient.pgm").string());
  ASSERT_TRUE(cv::imwrite(paths.back(), cv::Mat(56, 48, CV_8U, cv::Scalar(3))));
  const PhotometricInput input = read_input(paths, "", true);
  EXPECT_EQ(input.ambient.size(), cv::Size(48, 56));
}

}  // namespace
}  // namespace facekit::stereo
