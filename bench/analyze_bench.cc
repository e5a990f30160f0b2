// Face analysis at one thread on three faces of face-api's sample photos
// (fixed boxes: face-api SSD detections, as in tools/oracle/sample_faces.mjs).
//   analyze/full           every head (age, gender, emotion, race, spoof: 8 models)
//   analyze/head/<id>      one head alone (its crop, preprocessing, model, reading)
//   analyze/faceapi-heads  face-api's two nets only (crop, pad, resize, run,
//                          softmax): the work face-api itself does for
//                          withAgeAndGender().withFaceExpressions(), timed in
//                          Node by tools/oracle/bench_analyze_faceapi.mjs
// Counter `faces_per_s` is the throughput.
//   build/analyze_bench [--executor=fast] [benchmark flags]
#include <benchmark/benchmark.h>

#include <iostream>

#include "analyze/registry.h"
#include "bench_flags.h"
#include "facekit/analyze.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/zoo.h"

namespace facekit {
namespace {

struct SampleFace {
  cv::Mat rgb;
  Face face;
};

// The same faces as bench_analyze_faceapi.mjs.
std::vector<SampleFace> sample_faces() {
  const struct {
    const char* image;
    cv::Rect2f box;
  } faces[] = {{"sample1.jpg", {414, 355, 178, 238}},
               {"sample3.jpg", {585, 329, 199, 271}},
               {"sample5.jpg", {787, 109, 156, 212}}};
  const auto samples = zoo::require("faceapi-samples").parent_path();
  std::vector<SampleFace> out;
  for (const auto& f : faces) {
    SampleFace s{read_image((samples / f.image).string()), {}};
    s.face.box = f.box;
    s.face.score = 1;
    assess_quality(s.rgb, s.face);
    out.push_back(std::move(s));
  }
  return out;
}

void set_rate(benchmark::State& state, size_t faces) {
  state.counters["faces_per_s"] =
      benchmark::Counter(static_cast<double>(faces) * state.iterations(), benchmark::Counter::kIsRate);
}

void register_full(const std::vector<SampleFace>& faces, const std::string& executor) {
  AnalyzeOptions options;
  options.executor = executor;
  auto analyzer = std::make_shared<Analyzer>(options);
  benchmark::RegisterBenchmark(("analyze/full/" + executor).c_str(), [analyzer, faces](benchmark::State& state) {
    for (auto _ : state)
      for (const SampleFace& f : faces) benchmark::DoNotOptimize(analyzer->analyze(f.rgb, {f.face}));
    set_rate(state, faces.size());
  })->Unit(benchmark::kMillisecond);
}

void register_faceapi_heads(const std::vector<SampleFace>& faces, const std::string& executor) {
  AnalyzeOptions options;
  options.executor = executor;
  std::shared_ptr<analyze::Head> age_gender = analyze::head_entry("faceapi-age-gender").make(options);
  std::shared_ptr<analyze::Head> expression = analyze::head_entry("faceapi-expression").make(options);
  benchmark::RegisterBenchmark(("analyze/faceapi-heads/" + executor).c_str(),
                               [age_gender, expression, faces](benchmark::State& state) {
                                 for (auto _ : state)
                                   for (const SampleFace& f : faces) {
                                     const cv::Mat crop = analyze::crop_face(f.rgb, f.face.box, analyze::CropStyle::kFaceApi);
                                     benchmark::DoNotOptimize(age_gender->interpret(age_gender->outputs({crop})[0]));
                                     benchmark::DoNotOptimize(expression->interpret(expression->outputs({crop})[0]));
                                   }
                                 set_rate(state, faces.size());
                               })
      ->Unit(benchmark::kMillisecond);
}

void register_head(const std::vector<SampleFace>& faces, const std::string& id, const std::string& executor) {
  AnalyzeOptions options;
  options.executor = executor;
  std::shared_ptr<analyze::Head> head = analyze::head_entry(id).make(options);
  benchmark::RegisterBenchmark(("analyze/head/" + id + "/" + executor).c_str(), [head, faces](benchmark::State& state) {
    for (auto _ : state)
      for (const SampleFace& f : faces) {
        const cv::Mat crop = analyze::crop_face(f.rgb, f.face.box, head->crop_style());
        benchmark::DoNotOptimize(head->interpret(head->outputs({crop})[0]));
      }
    set_rate(state, faces.size());
  })->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  const std::string executor = facekit::bench::take_flag(argc, argv, "executor", "fast");
  try {
    const auto faces = facekit::sample_faces();
    facekit::register_full(faces, executor);
    facekit::register_faceapi_heads(faces, executor);
    for (const auto& id : facekit::head_ids()) facekit::register_head(faces, id, executor);
  } catch (const facekit::Error& e) {
    std::cerr << "analyze_bench: " << e.what() << "\n";
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
