// Photometric stereo on real faces: Extended Yale B subjects 1–10 (from
// ../shared/data/yaleb, or $FACEKIT_DATA_DIR/yaleb). Each subject is
// reconstructed from most of its lights; the lights held out are re-rendered
// from the recovered normals and albedo and compared with the real images.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "facekit/stereo.h"
#include "testing.h"

namespace facekit::stereo {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> yaleb_dir() {
  if (const char* env = std::getenv("FACEKIT_DATA_DIR"); env && fs::is_directory(fs::path(env) / "yaleb"))
    return fs::path(env) / "yaleb";
  if (const auto data = testing::shared_data_dir(); data && fs::is_directory(*data / "yaleb")) return *data / "yaleb";
  return std::nullopt;
}

// Held out: every third light within 50° of the camera axis — lights under
// which most of the face is lit, so the comparison is about shape and albedo,
// not about cast shadows, which re-rendering does not draw.
bool held_out(size_t index, const cv::Vec3d& light) { return index % 3 == 0 && light[2] > std::cos(50 * CV_PI / 180); }

struct HeldOutError {
  int lights = 0, pixels = 0;
  double rms_grey = 0;    // RMS (observed − rendered) in 8-bit grey levels
  double relative = 0;    // RMS over the mean observed value
  double mask_fraction = 0;
};

HeldOutError reconstruct_subject(const fs::path& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".pgm") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  const PhotometricInput all = read_input(paths, "", true);
  PhotometricInput train;
  train.ambient = all.ambient;
  std::vector<size_t> test;
  for (size_t i = 0; i < all.images.size(); ++i) {
    if (held_out(i, all.lights[i])) {
      test.push_back(i);
      continue;
    }
    train.images.push_back(all.images[i]);
    train.lights.push_back(all.lights[i]);
    train.names.push_back(all.names[i]);
  }
  const SolveOptions options;
  const StereoResult result = solve(train, options);
  HeldOutError e;
  e.lights = static_cast<int>(test.size());
  e.mask_fraction = cv::countNonZero(result.mask) / static_cast<double>(result.mask.total());
  double squared = 0, observed_sum = 0;
  for (size_t i : test) {
    const cv::Mat rendered = render(result, all.lights[i]);
    cv::Mat observed = all.images[i] - all.ambient;
    for (int y = 0; y < observed.rows; ++y)
      for (int x = 0; x < observed.cols; ++x) {
        const float o = observed.at<float>(y, x), r = rendered.at<float>(y, x);
        // Compared where the reconstruction holds and the real pixel is
        // neither in shadow nor saturated (the solver's own rule).
        if (!result.mask.at<uchar>(y, x) || o <= options.dark || all.images[i].at<float>(y, x) >= options.saturated)
          continue;
        squared += (o - r) * (o - r);
        observed_sum += o;
        ++e.pixels;
      }
  }
  e.rms_grey = 255 * std::sqrt(squared / std::max(e.pixels, 1));
  e.relative = std::sqrt(squared / std::max(e.pixels, 1)) / (observed_sum / std::max(e.pixels, 1));
  return e;
}

TEST(StereoYaleB, HeldOutLightsAreReRenderedForEverySubject) {
  const auto root = yaleb_dir();
  if (!root) GTEST_SKIP() << "Yale B not found at ../shared/data/yaleb (or $FACEKIT_DATA_DIR/yaleb)";
  std::vector<fs::path> subjects;
  for (const auto& entry : fs::directory_iterator(*root))
    if (entry.is_directory()) subjects.push_back(entry.path());
  std::sort(subjects.begin(), subjects.end());
  ASSERT_FALSE(subjects.empty());
  std::printf("| subject | held-out lights | pixels compared | mask | RMS error (grey levels) | relative |\n");
  std::printf("|---|---|---|---|---|---|\n");
  double relative_sum = 0;
  for (const fs::path& subject : subjects) {
    const HeldOutError e = reconstruct_subject(subject);
    std::printf("| %s | %d | %d | %.0f%% | %.1f | %.1f%% |\n", subject.filename().c_str(), e.lights, e.pixels,
                100 * e.mask_fraction, e.rms_grey, 100 * e.relative);
    EXPECT_GT(e.lights, 5) << subject;
    EXPECT_GT(e.mask_fraction, 0.5) << subject;
    // Measured 14–26% (faces are not Lambertian: skin has highlights and
    // subsurface scattering, and penumbrae escape the shadow rule).
    EXPECT_LT(e.relative, 0.30) << subject;
    relative_sum += e.relative;
  }
  EXPECT_LT(relative_sum / subjects.size(), 0.20) << "mean over subjects";
}

}  // namespace
}  // namespace facekit::stereo
