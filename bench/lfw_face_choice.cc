// Which face of a photo to take when a verb takes one (pipeline.h,
// FaceChoice), measured on LFW View 1: every face the verbs' detector finds in
// each image (padded retry; the whole image when none) is embedded once by
// each recognizer, then each candidate rule picks one face per image and the
// listed pairs are scored, every pair counted (10-fold accuracy, AUC, TAR at
// FAR 1e-3 over the listed impostors). LFW's labelled person is the face
// nearest the image centre (../shared/data README), so the rules weigh the
// distance of a face's box centre to the image centre against its size.
//
// Rules are chosen on DevTrain; `--check` adds DevTest, to be read once for
// the chosen rule. Faces and embeddings are cached (one JSON per detector ×
// recognizer) under --cache, so a rerun only scores.
//   lfw_face_choice [--data ../shared/data/lfw-view1] [--cache lfw-faces]
//                   [--models mobilefacenet,faceapi] [--detector mtcnn] [--check]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "facekit/detect.h"
#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"

#include "lfw_cache.h"

namespace {

namespace fs = std::filesystem;
using namespace facekit;
using nlohmann::json;

// Hands embed_found_faces the faces found once (the cache), so that every
// recognizer embeds the same faces.
Face face_of(const json& j) {
  Face f;
  f.box = cv::Rect2f(j["box"][0], j["box"][1], j["box"][2], j["box"][3]);
  f.score = j["score"];
  f.landmarks = bench::points_of(j["landmarks"].get<std::vector<float>>());
  return f;
}

json json_of(const Face& f) {
  return {{"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
          {"score", f.score},
          {"landmarks", bench::flat_points(f.landmarks)}};
}

// A candidate rule: the index of the face it takes among `faces` of an image of `size`.
using Rule = std::function<size_t(const std::vector<Face>& faces, cv::Size size)>;

// The face minimising `cost` (the first on ties).
size_t argmin(const std::vector<Face>& faces, const std::function<double(const Face&)>& cost) {
  size_t best = 0;
  for (size_t i = 1; i < faces.size(); ++i)
    if (cost(faces[i]) < cost(faces[best])) best = i;
  return best;
}

double centre_distance(const Face& f, cv::Size size) {
  return std::hypot(f.box.x + f.box.width / 2 - size.width / 2.0, f.box.y + f.box.height / 2 - size.height / 2.0);
}

std::vector<std::pair<std::string, Rule>> rules() {
  std::vector<std::pair<std::string, Rule>> out;
  out.emplace_back("largest (FaceChoice::kLargest)",
                   [](const std::vector<Face>& f, cv::Size) { return *choose_face(f, {}, FaceChoice::kLargest); });
  out.emplace_back("center (FaceChoice::kCenter)",
                   [](const std::vector<Face>& f, cv::Size s) { return *choose_face(f, s, FaceChoice::kCenter); });
  out.emplace_back("best detector score",
                   [](const std::vector<Face>& f, cv::Size) { return argmin(f, [](const Face& x) { return -x.score; }); });
  for (double k : {0.5, 1.0, 2.0})
    out.emplace_back("centre distance - " + std::to_string(k).substr(0, 3) + " x box side",
                     [k](const std::vector<Face>& f, cv::Size s) {
                       return argmin(f, [s, k](const Face& x) {
                         return centre_distance(x, s) - k * std::sqrt(x.box.area());
                       });
                     });
  out.emplace_back("centre distance in box sides", [](const std::vector<Face>& f, cv::Size s) {
    return argmin(f, [s](const Face& x) { return centre_distance(x, s) / std::sqrt(x.box.area()); });
  });
  for (double share : {0.25, 0.5})
    out.emplace_back("nearest the centre of faces >= " + std::to_string(share).substr(0, 4) + " x the largest's area",
                     [share](const std::vector<Face>& f, cv::Size s) {
                       const double largest = f[*choose_face(f, {}, FaceChoice::kLargest)].box.area();
                       return argmin(f, [s, share, largest](const Face& x) {
                         return (x.box.area() >= share * largest ? 0 : 1e9) + centre_distance(x, s);
                       });
                     });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Which face to take per image: candidate rules scored on LFW View 1, every pair counted");
  fs::path data = "../shared/data/lfw-view1", cache = "lfw-faces";
  std::string models_list = "mobilefacenet,faceapi", detector_name = kDefaultDetector;
  bool check_devtest = false;
  app.add_option("--data", data, "LFW View 1 folder (pairs files and images/)");
  app.add_option("--cache", cache, "folder for cached faces and embeddings");
  app.add_option("--models", models_list, "comma-separated recognizers (their cards' crop, flip and metric)");
  app.add_option("--detector", detector_name, "face detector");
  app.add_flag("--check", check_devtest, "also score DevTest (once, for the rule chosen on DevTrain)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto key = [&](const fs::path& image) { return fs::relative(image, data / "images").string(); };
    std::vector<std::string> set_names = {"DevTrain"};
    if (check_devtest) set_names.push_back("DevTest");
    std::map<std::string, std::vector<eval::ImagePair>> sets;
    std::set<std::string> images;
    for (const auto& name : set_names) {
      sets[name] = eval::read_lfw_pairs(data / ("pairs" + name + ".txt"), data / "images");
      for (const auto& p : sets[name]) images.insert({key(p.a), key(p.b)});
    }

    // Every face of every image, found once; an image without one gets the whole image.
    fs::create_directories(cache);
    const fs::path faces_file = cache / ("all-faces-" + detector_name + ".json");
    json faces = bench::read_cache(faces_file);
    std::unique_ptr<Detector> detector;
    for (const auto& image : images) {
      if (faces.contains(image)) continue;
      if (!detector) detector = make_detector(detector_name, {.threads = 1});
      const cv::Mat rgb = read_image((data / "images" / image).string());
      EmbedFacesOptions options;
      options.whole_image_fallback = true;
      const FoundFaces found = find_faces(rgb, detector.get(), options);
      json entry = {{"found", found.found}, {"size", {rgb.cols, rgb.rows}}, {"faces", json::array()}};
      for (const Face& f : found.faces) entry["faces"].push_back(json_of(f));
      faces[image] = entry;
      if (faces.size() % 500 == 0) bench::write_cache(faces_file, faces), std::cerr << faces.size() << " images\n";
    }
    bench::write_cache(faces_file, faces);
    std::map<std::string, std::vector<Face>> image_faces;
    std::map<std::string, cv::Size> image_sizes;
    int several = 0;
    for (const auto& image : images) {
      for (const auto& f : faces[image]["faces"]) image_faces[image].push_back(face_of(f));
      image_sizes[image] = {faces[image]["size"][0].get<int>(), faces[image]["size"][1].get<int>()};
      several += image_faces[image].size() > 1;
    }
    std::printf("%zu images, %d with several faces (%s)\n\n", images.size(), several, detector_name.c_str());

    std::vector<std::string> models;
    for (size_t begin = 0; begin <= models_list.size();) {
      const size_t end = std::min(models_list.find(',', begin), models_list.size());
      if (end > begin) models.push_back(models_list.substr(begin, end - begin));
      begin = end + 1;
    }
    for (const auto& model : models) {
      auto recognizer = make_recognizer(model, {.threads = 1});
      auto landmarker = make_landmarker("faceapi-68", {.threads = 1});
      const Metric metric = parse_metric(recognizer->card().metric);
      const fs::path file = cache / ("all-embeddings-" + detector_name + "-" + model + ".json");
      json cached = bench::read_cache(file);
      int done = 0;
      for (const auto& image : images) {
        if (cached.contains(image)) continue;
        const cv::Mat rgb = read_image((data / "images" / image).string());
        const auto embedded = embed_found_faces(rgb, {image_faces[image], faces[image]["found"].get<bool>()},
                                                *recognizer, landmarker.get());
        cached[image] = json::array();
        for (const auto& e : embedded) cached[image].push_back(e.embedding);
        if (++done % 500 == 0) bench::write_cache(file, cached), std::cerr << model << ": " << done << " images\n";
      }
      bench::write_cache(file, cached);

      std::printf("%s (%s, flip %s): accuracy %% (10-fold) | AUC | TAR %% @ FAR 1e-3", model.c_str(),
                  metric_name(metric).c_str(), recognizer->card().flip ? "on" : "off");
      for (const auto& name : set_names) std::printf(" — %s", name.c_str());
      std::printf("\n");
      for (const auto& [rule_name, rule] : rules()) {
        std::printf("  %-60s", rule_name.c_str());
        for (const auto& name : set_names) {
          std::vector<eval::ScoredPair> scored;
          const auto embedding = [&](const fs::path& path) {
            const std::string k = key(path);
            return cached[k][rule(image_faces[k], image_sizes[k])].get<std::vector<float>>();
          };
          for (const auto& p : sets[name]) scored.push_back({distance(embedding(p.a), embedding(p.b), metric), p.same, p.fold});
          const eval::Report r = eval::evaluate(scored, name);
          std::printf(" | %6.2f  %.4f  %5.1f", 100 * r.cross_validation.mean_accuracy, r.auc,
                      r.tar_at_far[1].measurable ? 100 * r.tar_at_far[1].tar : NAN);
        }
        std::printf("\n");
      }
      std::printf("\n");
    }
  } catch (const std::exception& e) {
    std::cerr << "lfw_face_choice: " << e.what() << "\n";
    return 1;
  }
}
