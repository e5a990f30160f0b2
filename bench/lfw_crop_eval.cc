// Which crop to feed a recognizer, measured on LFW View 1 (docs/recognition.md,
// "Crops"): every pair of a pairs file, a pair whose image gives no face
// counted as a wrong decision.
//
// Per image: the detector's faces, the one nearest the image centre (LFW's
// labelled person; README of ../shared/data), its 68 landmarks (faceapi-68;
// a detector's own 5 points are kept). Per crop: that face aligned with
// named_template(crop) and embedded. Faces and embeddings are cached under
// --cache (one JSON per detector, one per detector × crop), so each
// configuration runs once. With --oracle, face-api's own pipeline
// (tools/oracle/faceapi_pipeline.mjs run on the images --export-ppm wrote:
// the same decoded pixels) is scored beside, its face picked by the same rule;
// when the oracle covers only some images, every configuration is scored on
// the pairs it covers.
//
// Columns: pairs with both faces; 10-fold accuracy over ALL pairs (genuine
// and impostor pairs dealt round-robin into folds; the threshold of best
// accuracy on nine folds applied to the tenth; a missed pair is wrong at any
// threshold); AUC and TAR at FAR 1e-3 (or at the lowest measurable FAR,
// 1 / impostors, when that is larger) with a missed pair ranked behind every
// scored one (rejected at every threshold); the best-accuracy threshold on
// all the file's pairs.
//   lfw_crop_eval --data ../shared/data/lfw-view1 --pairs pairsDevTrain.txt
//                 [--detector ssd] [--model faceapi] [--crops arcface,faceapi,dlib]
//                 [--metric cosine] [--cache lfw-cache] [--oracle faceapi.json]
//                 [--export-ppm DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"

#include "lfw_cache.h"

namespace {

namespace fs = std::filesystem;
using namespace facekit;
using nlohmann::json;

// A missed pair's distance: behind every real one, but finite for eval's checks.
constexpr double kMissed = 1e300;

// The face nearest the image centre (by box centre), or none.
template <typename T, typename BoxOf>
const T* nearest_centre(const std::vector<T>& faces, cv::Size image, BoxOf box_of) {
  const T* best = nullptr;
  double best_d = std::numeric_limits<double>::infinity();
  for (const auto& f : faces) {
    const cv::Rect2f b = box_of(f);
    const double dx = b.x + b.width / 2 - image.width / 2.0, dy = b.y + b.height / 2 - image.height / 2.0;
    if (dx * dx + dy * dy < best_d) best_d = dx * dx + dy * dy, best = &f;
  }
  return best;
}

void write_ppm(const fs::path& file, const cv::Mat& rgb) {
  std::ofstream out(file, std::ios::binary);
  out << "P6\n" << rgb.cols << " " << rgb.rows << "\n255\n";
  for (int r = 0; r < rgb.rows; ++r) out.write(rgb.ptr<char>(r), static_cast<std::streamsize>(rgb.cols) * 3);
}

struct Summary {
  int found = 0, pairs = 0;
  double accuracy = 0, accuracy_std = 0, auc = 0, tar = 0, tar_far = 0, threshold = 0;
};

// 10-fold accuracy over all pairs (missed pairs wrong), AUC and TAR as above.
Summary summarise(const std::vector<eval::ScoredPair>& pairs) {
  Summary s;
  s.pairs = static_cast<int>(pairs.size());
  std::vector<eval::ScoredPair> scored;
  for (const auto& p : pairs)
    if (p.distance < kMissed) scored.push_back(p);
  s.found = static_cast<int>(scored.size());
  constexpr int kFolds = 10;
  std::vector<double> fold_accuracy;
  for (int k = 0; k < kFolds; ++k) {
    std::vector<eval::ScoredPair> train, test;
    int test_total = 0;
    for (const auto& p : pairs) {
      if (p.fold == k) ++test_total;
      if (p.distance >= kMissed) continue;
      (p.fold == k ? test : train).push_back(p);
    }
    const double t = eval::best_accuracy(train).threshold;
    int correct = 0;
    for (const auto& p : test) correct += (p.distance <= t) == p.same;
    fold_accuracy.push_back(static_cast<double>(correct) / test_total);
  }
  for (double a : fold_accuracy) s.accuracy += a / kFolds;
  for (double a : fold_accuracy) s.accuracy_std += (a - s.accuracy) * (a - s.accuracy) / kFolds;
  s.accuracy_std = std::sqrt(s.accuracy_std);
  s.threshold = eval::best_accuracy(scored).threshold;
  s.auc = eval::auc(pairs);
  int64_t impostors = 0;
  for (const auto& p : pairs) impostors += !p.same;
  const double far = std::max(1e-3, 1.0 / static_cast<double>(impostors));
  const eval::TarAtFar t = eval::tar_at_far(eval::roc(pairs), impostors, far);
  s.tar = t.tar;
  s.tar_far = far;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Crops for a recognizer on LFW View 1, every pair counted");
  fs::path data = "../shared/data/lfw-view1", cache = "lfw-cache", oracle_file, export_dir;
  std::string pairs_name = "pairsDevTrain.txt", detector_name = "ssd", model = "faceapi", metric_name = "cosine";
  std::string crops_list = "arcface,faceapi,dlib";
  app.add_option("--data", data, "LFW View 1 folder (pairs files and images/)");
  app.add_option("--pairs", pairs_name, "pairs file in --data");
  app.add_option("--detector", detector_name, "face detector");
  app.add_option("--model", model, "recognizer");
  app.add_option("--crops", crops_list, "comma-separated named templates (align.h)");
  app.add_option("--metric", metric_name, "cosine | euclidean | euclidean_l2");
  app.add_option("--cache", cache, "folder for cached faces and embeddings");
  app.add_option("--oracle", oracle_file, "faceapi_pipeline.mjs output for these images: scored as 'face-api'");
  app.add_option("--export-ppm", export_dir, "write each image as PPM here (the oracle's input) and stop");
  bool from_68 = false, flip = false;
  app.add_flag("--points-from-68", from_68, "align with the 5 points derived from the 68 (not the detector's)");
  app.add_flag("--flip", flip, "flip test-time augmentation (RecognizerOptions::flip)");
  CLI11_PARSE(app, argc, argv);
  try {
    const Metric metric = parse_metric(metric_name);
    const std::vector<eval::ImagePair> pairs = eval::read_lfw_pairs(data / pairs_name, data / "images");
    std::set<fs::path> image_set;
    for (const auto& p : pairs) image_set.insert({p.a, p.b});
    const std::vector<fs::path> images(image_set.begin(), image_set.end());
    const auto key = [&](const fs::path& image) { return fs::relative(image, data / "images").string(); };

    if (!export_dir.empty()) {
      fs::create_directories(export_dir);
      std::ofstream list(export_dir / "list.txt");
      for (const auto& image : images) {
        std::string name = key(image);
        std::replace(name.begin(), name.end(), '/', '+');
        write_ppm(export_dir / (name + ".ppm"), read_image(image.string()));
        list << (export_dir / (name + ".ppm")).string() << "\n";
      }
      std::cout << images.size() << " images written to " << export_dir << " (list.txt)\n";
      return 0;
    }

    // Faces: detected once per detector, with 68 landmarks.
    fs::create_directories(cache);
    const fs::path faces_file = cache / ("faces-" + detector_name + ".json");
    json faces = bench::read_cache(faces_file);
    {
      std::unique_ptr<Detector> detector;
      std::unique_ptr<Landmarker> landmarker;
      int done = 0;
      for (const auto& image : images) {
        if (faces.contains(key(image))) continue;
        if (!detector) detector = make_detector(detector_name), landmarker = make_landmarker();
        const cv::Mat rgb = read_image(image.string());
        const std::vector<Face> found = detector->detect(rgb);
        const Face* chosen = nearest_centre(found, rgb.size(), [](const Face& f) { return f.box; });
        json entry = nullptr;
        if (chosen) {
          Face face = *chosen;
          landmarker->locate(rgb, face);
          entry = {{"box", {face.box.x, face.box.y, face.box.width, face.box.height}},
                   {"score", face.score},
                   {"landmarks", bench::flat_points(face.landmarks)},
                   {"landmarks68", bench::flat_points(face.landmarks68)},
                   {"faces", found.size()}};
        }
        faces[key(image)] = entry;
        if (++done % 200 == 0) bench::write_cache(faces_file, faces), std::cerr << detector_name << ": " << done << " images\n";
      }
      bench::write_cache(faces_file, faces);
    }
    int no_face = 0;
    for (const auto& image : images) no_face += faces[key(image)].is_null();

    // Embeddings per crop, cached.
    std::map<std::string, std::map<std::string, std::vector<float>>> embeddings;  // config → image → vector
    std::vector<std::string> configs;
    for (size_t begin = 0; begin <= crops_list.size();) {
      const size_t end = std::min(crops_list.find(',', begin), crops_list.size());
      const std::string crop = crops_list.substr(begin, end - begin);
      begin = end + 1;
      if (crop.empty()) continue;
      const std::string config = crop + (from_68 ? "+68" : "") + (flip ? "+flip" : "");
      configs.push_back(config);
      const fs::path file = cache / ("emb-" + detector_name + "-" + model + "-" + config + ".json");
      json cached = bench::read_cache(file);
      std::unique_ptr<Recognizer> recognizer;
      int done = 0;
      for (const auto& image : images) {
        const json& f = faces[key(image)];
        if (f.is_null() || cached.contains(key(image))) continue;
        if (!recognizer) recognizer = make_recognizer(model, {.flip = flip, .alignment = crop});
        Face face;
        face.box = cv::Rect2f(f["box"][0], f["box"][1], f["box"][2], f["box"][3]);
        face.score = f["score"];
        face.landmarks = bench::points_of(f["landmarks"].get<std::vector<float>>());
        face.landmarks68 = bench::points_of(f["landmarks68"].get<std::vector<float>>());
        if (from_68 && face.landmarks68.size() == 68) face.landmarks = landmarks5_from_68(face.landmarks68);
        const cv::Mat rgb = read_image(image.string());
        cached[key(image)] = recognizer->embed(align_face(rgb, face, recognizer->alignment()));
        if (++done % 500 == 0) bench::write_cache(file, cached), std::cerr << crop << ": " << done << " embeddings\n";
      }
      bench::write_cache(file, cached);
      for (const auto& [k, v] : cached.items()) embeddings[config][k] = v.get<std::vector<float>>();
    }
    std::vector<eval::ImagePair> scored_pairs = pairs;
    if (!oracle_file.empty()) {
      const json oracle = bench::read_cache(oracle_file);
      configs.push_back("face-api");
      std::set<std::string> covered;
      for (const auto& entry : oracle["images"]) {
        std::string name = fs::path(entry["image"].get<std::string>()).stem().string();
        std::replace(name.begin(), name.end(), '+', '/');
        covered.insert(name);
        const std::vector<json> found(entry["faces"].begin(), entry["faces"].end());
        const json* chosen = nearest_centre(
            found, cv::Size(entry["width"], entry["height"]),
            [](const json& f) { return cv::Rect2f(f["box"][0], f["box"][1], f["box"][2], f["box"][3]); });
        if (chosen) embeddings["face-api"][name] = (*chosen)["descriptor"].get<std::vector<float>>();
      }
      // A partial run of the oracle: only the pairs it covers, for every configuration.
      std::erase_if(scored_pairs, [&](const eval::ImagePair& p) {
        return !covered.count(key(p.a)) || !covered.count(key(p.b));
      });
    }

    std::printf("%s, %zu of its %zu pairs, %zu images (%d without a face), detector %s, model %s, metric %s\n",
                pairs_name.c_str(), scored_pairs.size(), pairs.size(), images.size(), no_face, detector_name.c_str(),
                model.c_str(), metric_name.c_str());
    std::printf("| crop | pairs with faces | 10-fold accuracy %% | AUC | TAR %% @ FAR | best threshold |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (const auto& config : configs) {
      const auto& emb = embeddings[config];
      std::vector<eval::ScoredPair> scored;
      int g = 0, i = 0;
      for (const auto& p : scored_pairs) {
        const int fold = p.same ? g++ % 10 : i++ % 10;
        const auto a = emb.find(key(p.a)), b = emb.find(key(p.b));
        const double d = a == emb.end() || b == emb.end() ? kMissed : distance(a->second, b->second, metric);
        scored.push_back({d, p.same, fold});
      }
      const Summary s = summarise(scored);
      std::printf("| %s | %d / %d | %.2f ± %.2f | %.4f | %.1f @ %.0e | %.4g |\n", config.c_str(), s.found, s.pairs,
                  100 * s.accuracy, 100 * s.accuracy_std, s.auc, 100 * s.tar, s.tar_far, s.threshold);
    }
  } catch (const Error& e) {
    std::cerr << "lfw_crop_eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
