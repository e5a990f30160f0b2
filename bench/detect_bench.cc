// Detectors end to end (image in, faces out) at one thread on a 640 × 480
// photo: face-api's sample1.jpg resized (INTER_AREA). The face-api side of
// the comparison is tools/oracle/bench_detect_faceapi.mjs on the same photo.
//
//   build/detect_bench [--detectors=ssd,tiny] [--executor=fast] [benchmark flags]
// Detectors whose models are not installed are left out with a message.
#include <benchmark/benchmark.h>

#include <iostream>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "bench_flags.h"
#include "facekit/detect.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/zoo.h"

namespace facekit {
namespace {

cv::Mat sample_640x480() {
  const auto photo = zoo::installed_path(zoo::model("faceapi-samples"), zoo::model("faceapi-samples").files.at(0));
  cv::Mat small;
  cv::resize(read_image(photo.string()), small, cv::Size(640, 480), 0, 0, cv::INTER_AREA);
  return small;
}

void register_detector(const std::string& name, const std::string& executor, const cv::Mat& image) {
  DetectOptions options;
  options.executor = executor;
  options.threads = 1;
  std::shared_ptr<Detector> detector;
  try {
    detector = make_detector(name, options);
  } catch (const Error& e) {
    std::cerr << "skipping " << name << ": " << e.what() << "\n";
    return;
  }
  benchmark::RegisterBenchmark(("detect/" + name + "/" + executor + "/640x480").c_str(),
                               [detector, image](benchmark::State& state) {
                                 size_t faces = 0;
                                 for (auto _ : state) faces = detector->detect(image).size();
                                 state.counters["faces"] = static_cast<double>(faces);
                               })
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  using namespace facekit;
  const std::string names = bench::take_flag(argc, argv, "detectors", "ssd,tiny");
  const std::string executor = bench::take_flag(argc, argv, "executor", "fast");
  benchmark::Initialize(&argc, argv);
  try {
    const cv::Mat image = sample_640x480();
    std::stringstream list(names);
    for (std::string name; std::getline(list, name, ',');) register_detector(name, executor, image);
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
