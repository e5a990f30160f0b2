// Fills a `facekit eval --cache` folder for several recognizers, with and
// without flip, in one pass: each image is read and its faces found once
// (find_faces, as Engine::embed does: the --face, a padded retry, the
// whole image when none), then embedded by every (model, flip)
// (embed_found_faces). The entries are exactly what `facekit eval --cache
// DIR --model M --flip on|off` (with the same detector, landmarker and
// --if-no-face) would compute and store, so eval, calibrate and fusion fits
// then read them without running a network (docs/recognition.md, "Fusion").
//   lfw_embed_cache --cache DIR --pairs pairsDevTrain.txt --pairs pairsDevTest.txt
//                   [--root ../shared/data/lfw-view1/images] [--models mobilefacenet,faceapi]
//                   [--detector mtcnn] [--face center] [--threads 0]
#include <iostream>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>

#include "facekit/embedding_cache.h"
#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"

namespace {

namespace fs = std::filesystem;
using namespace facekit;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Fill an eval --cache folder for several (model, flip), one detection per image");
  std::vector<std::string> pair_files;
  std::string cache, root = "../shared/data/lfw-view1/images", models_list = "mobilefacenet,faceapi";
  RecognitionRequest base;
  base.if_no_face = "whole-image";  // facekit eval's default
  int threads = 0;
  app.add_option("--pairs", pair_files, "LFW pairs files (repeatable)")->required();
  app.add_option("--root", root, "image root");
  app.add_option("--cache", cache, "the eval --cache folder")->required();
  app.add_option("--models", models_list, "comma-separated recognizers");
  app.add_option("--detector", base.detector, "face detector");
  app.add_option("--face", base.face, "the face taken per image: center or largest");
  app.add_option("--threads", threads, "executor threads (0: all cores)");
  CLI11_PARSE(app, argc, argv);
  try {
    std::set<fs::path> image_set;
    for (const auto& file : pair_files)
      for (const auto& p : eval::read_lfw_pairs(file, root)) image_set.insert({p.a, p.b});

    // One cache and one recognizer per (model, flip), keyed as the engine keys them.
    Engine engine({.threads = threads});
    struct Config {
      RecognitionRequest request;
      std::unique_ptr<eval::EmbeddingCache> cache;
      std::unique_ptr<Recognizer> recognizer;
    };
    std::vector<Config> configs;
    std::stringstream names(models_list);
    for (std::string model; std::getline(names, model, ',');)
      for (bool flip : {false, true}) {
        RecognitionRequest r = base;
        r.model = model;
        r.flip = flip;
        configs.push_back({r, std::make_unique<eval::EmbeddingCache>(cache, engine.embedding_configuration(r)),
                           make_recognizer(model, {.threads = threads, .flip = flip})});
      }
    auto detector = make_detector(base.detector, {.threads = threads});
    auto landmarker = make_landmarker(base.landmarker, {.threads = threads});

    EmbedFacesOptions options;
    options.one_face = parse_face_choice(base.face);
    options.whole_image_fallback = true;
    size_t done = 0, computed = 0;
    for (const fs::path& image : image_set) {
      ++done;
      // Faces found once, on first need.
      std::optional<cv::Mat> rgb;
      std::optional<FoundFaces> found;
      for (Config& c : configs) {
        const auto embed = c.cache->wrap([&](const fs::path& path) -> std::optional<eval::ImageEmbedding> {
          if (!rgb) rgb = read_image(path.string());
          if (!found) found = find_faces(*rgb, detector.get(), options);
          const auto faces = embed_found_faces(*rgb, *found, *c.recognizer, landmarker.get(), options.align);
          if (faces.empty()) return std::nullopt;
          return eval::ImageEmbedding{faces[0].embedding, faces[0].face_found};
        });
        try {
          embed(image);
        } catch (const Error& e) {
          std::cerr << e.what() << "\n";
        }
      }
      computed += rgb.has_value();
      if (done % 100 == 0) std::cerr << done << " / " << image_set.size() << " images (" << computed << " computed)\n";
    }
    std::cerr << image_set.size() << " images, " << computed << " computed\n";
  } catch (const Error& e) {
    std::cerr << "lfw_embed_cache: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
