// Recognition speed at one thread:
//   BM_embed/<model>    embeddings per second of one aligned crop (the face
//                       of sample1.jpg aligned onto the model's template)
//   BM_embed_batch/<model>/N  the same with N crops in one network call
//   BM_verify_faceapi   `facekit verify` minus the process: face-api's
//                       pipeline (SSD detector, 68-point landmarks, 150×150
//                       descriptor, Euclidean distance) on the largest face
//                       of sample1.jpg and of sample2.jpg, decoded beforehand.
// The face-api side of the comparison is tools/oracle/bench_verify_faceapi.mjs
// on the same two photos. Compare CPU times: the machine is shared.
//   build/embed_bench [benchmark flags]
#include <benchmark/benchmark.h>

#include <iostream>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/match.h"
#include "facekit/pipeline.h"
#include "facekit/zoo.h"

namespace facekit {
namespace {

cv::Mat sample(const std::string& file) {
  return read_image((zoo::require("faceapi-samples").parent_path() / file).string());
}

void register_embed(const std::string& name, const cv::Mat& photo, Detector& detector, Landmarker& landmarker) {
  std::shared_ptr<Recognizer> recognizer = make_recognizer(name, {.threads = 1});
  std::vector<Face> faces = detector.detect(photo);
  Face& face = faces.at(*largest_face(faces));
  landmarker.locate(photo, face);
  const cv::Mat crop = align_face(photo, face, recognizer->alignment());
  benchmark::RegisterBenchmark(("BM_embed/" + name).c_str(), [recognizer, crop](benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(recognizer->embed(crop));
    state.SetItemsProcessed(state.iterations());
  })->Unit(benchmark::kMillisecond);
  // The same crop N times in one network call: whether batching the faces
  // of concurrent requests (as a server could) pays on this CPU. Compare
  // items per second with BM_embed's.
  benchmark::RegisterBenchmark(("BM_embed_batch/" + name).c_str(), [recognizer, crop](benchmark::State& state) {
    const std::vector<cv::Mat> crops(static_cast<size_t>(state.range(0)), crop);
    for (auto _ : state) benchmark::DoNotOptimize(recognizer->embed(crops));
    state.SetItemsProcessed(state.iterations() * state.range(0));
  })->Arg(2)->Arg(4)->Arg(8)->Unit(benchmark::kMillisecond);
}

void register_verify(const cv::Mat& a, const cv::Mat& b) {
  std::shared_ptr<Detector> detector = make_detector("ssd", {.threads = 1});
  std::shared_ptr<Landmarker> landmarker = make_landmarker("faceapi-68", {.threads = 1});
  std::shared_ptr<Recognizer> recognizer = make_recognizer("faceapi", {.threads = 1});
  benchmark::RegisterBenchmark("BM_verify_faceapi", [=](benchmark::State& state) {
    EmbedFacesOptions options;
    options.one_face = parse_face_choice(kDefaultFace);
    for (auto _ : state) {
      const auto fa = embed_faces(a, detector.get(), *recognizer, landmarker.get(), options);
      const auto fb = embed_faces(b, detector.get(), *recognizer, landmarker.get(), options);
      benchmark::DoNotOptimize(distance(fa.at(0).embedding, fb.at(0).embedding, Metric::kEuclidean));
    }
  })->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  try {
    const cv::Mat a = facekit::sample("sample1.jpg"), b = facekit::sample("sample2.jpg");
    auto detector = facekit::make_detector("ssd", {.threads = 1});
    auto landmarker = facekit::make_landmarker("faceapi-68", {.threads = 1});
    for (const std::string& name : facekit::recognizer_names()) {
      try {
        facekit::register_embed(name, a, *detector, *landmarker);
      } catch (const facekit::Error& e) {
        std::cerr << "skipping " << name << ": " << e.what() << "\n";
      }
    }
    facekit::register_verify(a, b);
  } catch (const facekit::Error& e) {
    std::cerr << "embed_bench: " << e.what() << "\n";
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
