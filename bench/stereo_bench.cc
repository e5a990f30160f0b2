// Photometric stereo timing on synthetic faces: the calibrated solve against
// the number of lights (at Yale B's 168×192) and against the pixel count (at
// 64 lights), the two integrators against the pixel count, and the
// uncalibrated light estimate. All on one thread (CPU time is then the
// work, whatever else the machine runs), except BM_SolveThreads, where
// cv::parallel_for_ spreads the solve over every core.
//
//   build/stereo_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>

#include <opencv2/core/utility.hpp>

#include "facekit/stereo.h"

namespace facekit::stereo {
namespace {

// A dome with a nose, `lights` lights on a spiral within 60° of the camera
// axis; Lambertian images without cast shadows.
PhotometricInput synthetic_face(int width, int height, int lights) {
  PhotometricInput input;
  for (int i = 0; i < lights; ++i) {
    const double polar = 60 * std::sqrt((i + 0.5) / lights), azimuth = 2.4 * i;  // golden-angle spiral
    const double p = polar * std::numbers::pi / 180;
    input.lights.emplace_back(std::sin(p) * std::cos(azimuth), std::sin(p) * std::sin(azimuth), std::cos(p));
  }
  cv::Mat normals(height, width, CV_32FC3);
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c) {
      const double x = (c - width / 2.0) / width, y = (height / 2.0 - r) / height;
      const double nose = std::exp(-(x * x + y * y) / 0.005);
      const double zx = -1.2 * x - 0.4 * x / 0.005 * nose, zy = -1.2 * y - 0.4 * y / 0.005 * nose;
      normals.at<cv::Vec3f>(r, c) = cv::Vec3f(cv::normalize(cv::Vec3d(-zx, -zy, 1)));
    }
  for (const cv::Vec3d& l : input.lights) {
    cv::Mat image(height, width, CV_32F);
    for (int r = 0; r < height; ++r)
      for (int c = 0; c < width; ++c)
        image.at<float>(r, c) = static_cast<float>(0.7 * std::max(0.0, cv::Vec3d(normals.at<cv::Vec3f>(r, c)).dot(l)));
    input.images.push_back(image);
  }
  return input;
}

void BM_SolveLights(benchmark::State& state) {
  const PhotometricInput input = synthetic_face(168, 192, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(solve(input));
  state.counters["Mpixel_lights/s"] =
      benchmark::Counter(168.0 * 192 * state.range(0) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SolveLights)->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

// Side scale s: an s·84 × s·96 face (s = 2 is Yale B's size).
void BM_SolvePixels(benchmark::State& state) {
  const int s = static_cast<int>(state.range(0));
  const PhotometricInput input = synthetic_face(84 * s, 96 * s, 64);
  for (auto _ : state) benchmark::DoNotOptimize(solve(input));
  state.counters["pixels"] = 84.0 * 96 * s * s;
}
BENCHMARK(BM_SolvePixels)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_Poisson(benchmark::State& state) {
  const int s = static_cast<int>(state.range(0));
  const StereoResult r = solve(synthetic_face(84 * s, 96 * s, 8));
  for (auto _ : state) benchmark::DoNotOptimize(integrate_poisson(r.normals, r.mask));
  state.counters["pixels"] = 84.0 * 96 * s * s;
}
BENCHMARK(BM_Poisson)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_FrankotChellappa(benchmark::State& state) {
  const int s = static_cast<int>(state.range(0));
  const StereoResult r = solve(synthetic_face(84 * s, 96 * s, 8));
  for (auto _ : state) benchmark::DoNotOptimize(integrate_frankot_chellappa(r.normals, r.mask));
  state.counters["pixels"] = 84.0 * 96 * s * s;
}
BENCHMARK(BM_FrankotChellappa)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_EstimateLights(benchmark::State& state) {
  PhotometricInput input = synthetic_face(168, 192, static_cast<int>(state.range(0)));
  input.lights.clear();
  for (auto _ : state) benchmark::DoNotOptimize(estimate_lights(input));
}
BENCHMARK(BM_EstimateLights)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_SolveThreads(benchmark::State& state) {
  const PhotometricInput input = synthetic_face(168, 192, 64);
  cv::setNumThreads(-1);  // OpenCV's default: every core
  for (auto _ : state) benchmark::DoNotOptimize(solve(input));
  cv::setNumThreads(1);
  state.counters["threads"] = cv::getNumberOfCPUs();
}
BENCHMARK(BM_SolveThreads)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace facekit::stereo

int main(int argc, char** argv) {
  cv::setNumThreads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
