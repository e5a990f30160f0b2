// Thresholds from faces in the wild: every zoo recognizer × metric calibrated
// on LFW View 1 DevTrain and checked once on DevTest, with the default
// pipeline (mtcnn, padded retry, the whole image when no face is found, the
// --face the verbs take, the card's crop and flip), every pair counted. Writes the JSON that
// scripts/store_thresholds.py copies into models/manifest.json and prints the
// README's table (README.md, "Recognition").
//
// Per set (DevTrain, DevTest):
//   - the listed pairs (1100 + 1100, 500 + 500): 10-fold accuracy, AUC, EER,
//     the best-accuracy threshold and the logistic fit (eval::evaluate);
//   - every impostor pair among the set's images (two images of different
//     people: 5.9 M in DevTrain, 1.2 M in DevTest; the sets share no person):
//     FARs down to 1e-4 can be read, where the 1100 listed impostor pairs stop
//     at 1e-3. FAR is always measured on these, TAR on the listed genuine pairs.
// The card gets, per metric: the best-accuracy threshold and a FAR table
// (1e-2, 1e-3, 1e-4) from DevTrain, each with the FAR and TAR it gives on
// DevTrain and on DevTest.
//
// Faces are detected once per image and embeddings computed once per image
// and recognizer (cached as JSON under --cache), so a rerun only evaluates.
// Times are CPU seconds of the calling thread (one thread, --threads 1 models),
// so that other load on the machine does not count: detection per image, and
// landmarks + crop + network per face. --oracle adds face-api's own pipeline
// (tools/oracle/faceapi_pipeline.mjs on the DevTest images lfw_crop_eval
// --export-ppm wrote), its face per image taken by the same --face, scored by
// the same rules.
//
//   lfw_thresholds [--data ../shared/data/lfw-view1] [--cache lfw-cache]
//                  [--models mobilefacenet,faceapi,faceapi@dlib,...] [--face center]
//                  [--oracle faceapi-devtest.json] [--json lfw_thresholds.json]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
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
#include "facekit/zoo.h"

#include "lfw_cache.h"

namespace {

namespace fs = std::filesystem;
using namespace facekit;
using nlohmann::json;
using nlohmann::ordered_json;

const std::vector<std::string> kFarKeys = {"1e-2", "1e-3", "1e-4"};

double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Hands embed_faces the faces found earlier, so that it does what the verbs do
// (the one face, whole image when none, the crop's landmarks) without
// detecting again: the first call returns them, any later one (the padded
// retry, only asked for when there were none) nothing.
class ReplayDetector : public Detector {
 public:
  explicit ReplayDetector(std::vector<Face> faces) : faces_(std::move(faces)) {}
  std::vector<Face> detect(const cv::Mat&) override { return std::exchange(faces_, {}); }
  std::string name() const override { return "replay"; }

 private:
  std::vector<Face> faces_;
};

// An image's embedding; empty when it could not be embedded.
struct Embedded {
  std::vector<float> embedding;
  bool face_found = true;
};
using Embeddings = std::map<std::string, Embedded>;  // image key → embedding

// The listed pairs of a set as ScoredPairs (fold -1: cross_validate deals them).
std::vector<eval::ScoredPair> listed_pairs(const std::vector<eval::ImagePair>& pairs, const Embeddings& e,
                                           Metric metric, const std::function<std::string(const fs::path&)>& key) {
  std::vector<eval::ScoredPair> out;
  for (const auto& p : pairs) {
    const auto a = e.find(key(p.a)), b = e.find(key(p.b));
    if (a == e.end() || b == e.end() || a->second.embedding.empty() || b->second.embedding.empty())
      out.push_back(eval::ScoredPair::miss(p.same));
    else
      out.push_back({distance(a->second.embedding, b->second.embedding, metric), p.same, -1});
  }
  return out;
}

// Every pair of images of different people among `images` (a missing
// embedding: +inf, never accepted).
std::vector<double> all_impostors(const std::vector<std::string>& images, const Embeddings& e, Metric metric) {
  const auto person = [](const std::string& k) { return k.substr(0, k.find('/')); };
  std::vector<const std::vector<float>*> vectors;
  for (const auto& k : images) {
    const auto it = e.find(k);
    vectors.push_back(it == e.end() || it->second.embedding.empty() ? nullptr : &it->second.embedding);
  }
  std::vector<double> out;
  out.reserve(images.size() * images.size() / 2);
  for (size_t i = 0; i < images.size(); ++i)
    for (size_t j = i + 1; j < images.size(); ++j) {
      if (person(images[i]) == person(images[j])) continue;
      out.push_back(vectors[i] && vectors[j] ? distance(*vectors[i], *vectors[j], metric)
                                             : std::numeric_limits<double>::infinity());
    }
  return out;
}

// At `threshold`: FAR on every impostor pair of the set, TAR and accuracy on
// its listed pairs.
ordered_json rates_at(double threshold, const std::vector<eval::ScoredPair>& listed, const std::vector<double>& impostors) {
  double accepted = 0;
  for (double d : impostors) accepted += d <= threshold;
  const eval::OperatingPoint p = eval::operating_point(listed, threshold, "listed pairs");
  return {{"far", accepted / static_cast<double>(impostors.size())}, {"tar", p.tar}, {"accuracy", p.accuracy}};
}

// The card's threshold for `metric` as it stands, and Yale B's (its "yaleb"
// entry, or the main one while that still comes from Yale B).
struct CardThresholds {
  std::optional<double> current, yaleb;
};
CardThresholds card_thresholds(const std::string& model_id, const std::string& metric) {
  CardThresholds out;
  const json& card = zoo::model(model_id).card;
  if (!card.contains("thresholds") || !card["thresholds"].contains(metric)) return out;
  const json& entry = card["thresholds"][metric];
  if (entry.contains("threshold")) out.current = entry["threshold"].get<double>();
  if (entry.contains("yaleb"))
    out.yaleb = entry["yaleb"]["threshold"].get<double>();
  else if (entry.value("dataset", "").starts_with("Extended Yale B"))
    out.yaleb = out.current;
  return out;
}

struct SetData {
  std::string name;
  std::vector<eval::ImagePair> pairs;
  std::vector<std::string> images;  // keys, sorted
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Every recognizer × metric calibrated on LFW View 1 DevTrain, checked on DevTest");
  fs::path data = "../shared/data/lfw-view1", cache = "lfw-cache", oracle_file, json_file = "lfw_thresholds.json";
  std::string models_list = "mobilefacenet,faceapi,faceapi@dlib,faceres,mobileface,human-mobilefacenet";
  std::string detector_name = kDefaultDetector, face_name = kDefaultFace;
  app.add_option("--data", data, "LFW View 1 folder (pairs files and images/)");
  app.add_option("--cache", cache, "folder for cached faces and embeddings");
  app.add_option("--models", models_list, "recognizers, NAME or NAME@CROP (a named template, align.h)");
  app.add_option("--detector", detector_name, "face detector");
  app.add_option("--face", face_name, "the face taken per image: center or largest");
  app.add_option("--oracle", oracle_file, "faceapi_pipeline.mjs output for the DevTest images");
  app.add_option("--json", json_file, "where to write the results");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto key = [&](const fs::path& image) { return fs::relative(image, data / "images").string(); };
    std::vector<SetData> sets;
    for (const std::string name : {"DevTrain", "DevTest"}) {
      SetData s{name, eval::read_lfw_pairs(data / ("pairs" + name + ".txt"), data / "images"), {}};
      std::set<std::string> keys;
      for (const auto& p : s.pairs) keys.insert({key(p.a), key(p.b)});
      s.images.assign(keys.begin(), keys.end());
      sets.push_back(std::move(s));
    }
    std::vector<std::string> images;
    for (const auto& s : sets) images.insert(images.end(), s.images.begin(), s.images.end());

    // Faces: as the verbs find them (detect_with_retry), the --face kept.
    const FaceChoice face_choice = parse_face_choice(face_name);
    fs::create_directories(cache);
    const fs::path faces_file = cache / ("faces-" + detector_name + "-" + face_name + ".json");
    json faces = bench::read_cache(faces_file);
    {
      std::unique_ptr<Detector> detector;
      int done = 0;
      for (const auto& image : images) {
        if (faces.contains(image)) continue;
        if (!detector) detector = make_detector(detector_name, {.threads = 1});
        const cv::Mat rgb = read_image((data / "images" / image).string());
        const double start = thread_seconds();
        const std::vector<Face> found = detect_with_retry(*detector, rgb);
        json entry = {{"seconds", thread_seconds() - start}, {"face", nullptr}};
        if (const auto chosen = choose_face(found, rgb.size(), face_choice)) {
          const Face& f = found[*chosen];
          entry["face"] = {{"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
                           {"score", f.score},
                           {"landmarks", bench::flat_points(f.landmarks)}};
        }
        faces[image] = entry;
        if (++done % 250 == 0) bench::write_cache(faces_file, faces), std::cerr << detector_name << ": " << done << " images\n";
      }
      bench::write_cache(faces_file, faces);
    }

    // Embeddings per recognizer (and crop), cached.
    std::vector<std::string> configs;
    for (size_t begin = 0; begin <= models_list.size();) {
      const size_t end = std::min(models_list.find(',', begin), models_list.size());
      if (end > begin) configs.push_back(models_list.substr(begin, end - begin));
      begin = end + 1;
    }
    std::map<std::string, Embeddings> embeddings;
    ordered_json results = {{"detector", detector_name}, {"face", face_name}, {"models", ordered_json::object()}};
    for (const auto& config : configs) {
      const size_t at = config.find('@');
      const std::string name = config.substr(0, at), crop = at == std::string::npos ? "" : config.substr(at + 1);
      auto recognizer = make_recognizer(name, {.threads = 1, .alignment = crop});
      auto landmarker = make_landmarker("faceapi-68", {.threads = 1});
      const fs::path file = cache / ("emb-" + detector_name + "-" + face_name + "-" + config +
                                     (recognizer->card().flip ? "+flip" : "") + ".json");
      json cached = bench::read_cache(file);
      int done = 0;
      for (const auto& image : images) {
        if (cached.contains(image)) continue;
        const json& entry = faces[image]["face"];
        std::vector<Face> found;
        if (!entry.is_null()) {
          Face f;
          f.box = cv::Rect2f(entry["box"][0], entry["box"][1], entry["box"][2], entry["box"][3]);
          f.score = entry["score"];
          f.landmarks = bench::points_of(entry["landmarks"].get<std::vector<float>>());
          found.push_back(f);
        }
        ReplayDetector replay(found);
        const cv::Mat rgb = read_image((data / "images" / image).string());
        const double start = thread_seconds();
        EmbedFacesOptions options;
        options.whole_image_fallback = true;
        options.one_face = face_choice;
        const auto embedded = embed_faces(rgb, &replay, *recognizer, landmarker.get(), options);
        cached[image] = {{"embedding", embedded.at(0).embedding},
                         {"face_found", embedded.at(0).face_found},
                         {"seconds", thread_seconds() - start}};
        if (++done % 250 == 0) bench::write_cache(file, cached), std::cerr << config << ": " << done << " embeddings\n";
      }
      bench::write_cache(file, cached);
      double embed_seconds = 0, detect_seconds = 0;
      int whole = 0;
      for (const auto& image : images) {
        const json& c = cached[image];
        embeddings[config][image] = {c["embedding"].get<std::vector<float>>(), c["face_found"].get<bool>()};
        embed_seconds += c["seconds"].get<double>();
        detect_seconds += faces[image]["seconds"].get<double>();
        whole += !c["face_found"].get<bool>();
      }
      const auto n = static_cast<double>(images.size());
      results["models"][config] = {{"recognizer", name},
                                   {"model_id", recognizer->card().model},
                                   {"crop", recognizer->alignment().name},
                                   {"card_crop", crop.empty()},
                                   {"flip", recognizer->card().flip},
                                   {"face", face_name},
                                   {"default_metric", recognizer->card().metric},
                                   {"images", images.size()},
                                   {"whole_image", whole},
                                   {"ms_detect_per_image", 1e3 * detect_seconds / n},
                                   {"ms_embed_per_face", 1e3 * embed_seconds / n},
                                   {"metrics", ordered_json::object()}};
    }
    // face-api's own pipeline on DevTest: its face per image taken by --face.
    if (!oracle_file.empty()) {
      const json oracle = bench::read_cache(oracle_file);
      Embeddings& e = embeddings["face-api (own pipeline)"];
      std::set<std::string> covered_images;
      int whole = 0;
      for (const auto& entry : oracle["images"]) {
        std::string name = fs::path(entry["image"].get<std::string>()).stem().string();
        std::replace(name.begin(), name.end(), '+', '/');
        covered_images.insert(name);
        std::vector<Face> found;
        for (const auto& f : entry["faces"]) {
          Face face;
          face.box = cv::Rect2f(f["box"][0], f["box"][1], f["box"][2], f["box"][3]);
          found.push_back(face);
        }
        const auto chosen = choose_face(found, {entry["width"].get<int>(), entry["height"].get<int>()}, face_choice);
        whole += !chosen;
        if (chosen) e[name] = {entry["faces"][*chosen]["descriptor"].get<std::vector<float>>(), true};
      }
      // A partial run of the oracle: it is compared on the DevTest pairs it covers.
      SetData covered{"DevTest (face-api's pairs)", {}, {}};
      for (const auto& p : sets[1].pairs)
        if (covered_images.count(key(p.a)) && covered_images.count(key(p.b))) covered.pairs.push_back(p);
      std::set<std::string> keys;
      for (const auto& p : covered.pairs) keys.insert({key(p.a), key(p.b)});
      covered.images.assign(keys.begin(), keys.end());
      sets.push_back(std::move(covered));
      configs.push_back("face-api (own pipeline)");
      results["models"]["face-api (own pipeline)"] = {{"recognizer", "face-api"}, {"crop", "faceapi"},
                                                     {"images", oracle["images"].size()}, {"no_face", whole},
                                                     {"metrics", ordered_json::object()}};
    }

    // Per recognizer and metric: DevTrain → thresholds, DevTest → the check.
    for (const auto& config : configs) {
      const bool oracle = !results["models"][config].contains("model_id");
      for (const std::string& metric_key : metric_names()) {
        const Metric metric = parse_metric(metric_key);
        ordered_json& out = results["models"][config]["metrics"][metric_key];
        std::vector<std::vector<eval::ScoredPair>> listed;
        std::vector<std::vector<double>> impostors;
        for (const auto& s : sets) {
          if (oracle && &s != &sets.back()) {  // the oracle ran on (some of) DevTest only
            listed.emplace_back(), impostors.emplace_back();
            continue;
          }
          listed.push_back(listed_pairs(s.pairs, embeddings[config], metric, key));
          impostors.push_back(all_impostors(s.images, embeddings[config], metric));
          const eval::Report r = eval::evaluate(listed.back(), s.name);
          const eval::FarThreshold at_1e3 = eval::threshold_at_far(impostors.back(), 1e-3, s.name);
          out[s.name] = {{"accuracy_10fold", r.cross_validation.mean_accuracy},
                         {"auc", r.auc},
                         {"eer", r.eer.rate},
                         {"tar_at_far_1e-3", rates_at(at_1e3.threshold, listed.back(), impostors.back())["tar"]},
                         {"impostor_pairs", impostors.back().size()},
                         {"best_threshold", r.best.threshold},
                         {"best_accuracy", r.best.accuracy}};
          if (s.name == "DevTrain") {
            out["logistic"] = {{"a", r.logistic.a}, {"b", r.logistic.b}};
            out["threshold"] = r.best.threshold;
          }
        }
        if (oracle) continue;
        // The card's thresholds, each with what it gives on both sets.
        out["thresholds"] = ordered_json::object();
        out["thresholds"]["best_accuracy"] = {{"threshold", out["threshold"]}};
        for (const auto& far_key : kFarKeys) {
          const eval::FarThreshold f = eval::threshold_at_far(impostors[0], std::stod(far_key), "DevTrain");
          out["thresholds"][far_key] = {{"threshold", f.threshold}};
        }
        const CardThresholds card = card_thresholds(results["models"][config]["model_id"], metric_key);
        if (card.current) out["thresholds"]["card_before"] = {{"threshold", *card.current}};
        // Does Yale B's threshold carry to faces in the wild? On DevTrain, within
        // 2 points of the best accuracy (every pair counted), or not.
        if (card.yaleb) {
          const double at_yaleb = eval::accuracy_at(listed[0], *card.yaleb);
          const double best = out["DevTrain"]["best_accuracy"].get<double>();
          out["domains"] = {{"carries", best - at_yaleb <= 0.02},
                            {"yaleb_threshold", *card.yaleb},
                            {"lfw_threshold", out["threshold"]},
                            {"devtrain_accuracy_at_yaleb_threshold", at_yaleb},
                            {"devtrain_best_accuracy", best}};
        } else {
          out["domains"] = {{"carries", nullptr}, {"note", "no Yale B threshold to compare"}};
        }
        for (auto& [name, t] : out["thresholds"].items())
          for (size_t i = 0; i < sets.size(); ++i)
            t[sets[i].name] = rates_at(t["threshold"].get<double>(), listed[i], impostors[i]);
      }
    }

    // The README's table: DevTest, every pair counted.
    std::printf("| recognizer | crop | accuracy %% (10-fold) | accuracy %% at the card's threshold | AUC | EER %% | "
                "TAR %% @ FAR 1e-3 | ms per face (detect + embed) |\n|---|---|---|---|---|---|---|---|\n");
    for (const auto& config : configs) {
      const ordered_json& m = results["models"][config];
      const std::string metric = m.contains("default_metric") ? m["default_metric"].get<std::string>() : "euclidean";
      const ordered_json& t = m["metrics"][metric][m.contains("model_id") ? "DevTest" : sets.back().name];
      std::string at_card = "—", ms = "—";
      if (m.contains("model_id")) {
        at_card = std::to_string(100 * m["metrics"][metric]["thresholds"]["best_accuracy"]["DevTest"]["accuracy"].get<double>()).substr(0, 5);
        char text[64];
        std::snprintf(text, sizeof text, "%.0f + %.0f", m["ms_detect_per_image"].get<double>(), m["ms_embed_per_face"].get<double>());
        ms = text;
      }
      std::printf("| %s (%s) | %s | %.2f | %s | %.4f | %.2f | %.1f | %s |\n", config.c_str(), metric.c_str(),
                  m["crop"].get<std::string>().c_str(), 100 * t["accuracy_10fold"].get<double>(), at_card.c_str(),
                  t["auc"].get<double>(), 100 * t["eer"].get<double>(), 100 * t["tar_at_far_1e-3"].get<double>(), ms.c_str());
    }
    if (sets.size() > 2) {
      const SetData& covered = sets.back();
      std::printf("\n%s: %zu pairs (%zu images)\n\n| pipeline | accuracy %% (10-fold) | AUC | EER %% | TAR %% @ FAR 1e-3 |\n"
                  "|---|---|---|---|---|\n",
                  covered.name.c_str(), covered.pairs.size(), covered.images.size());
      for (const auto& config : configs) {
        const ordered_json& m = results["models"][config];
        const std::string metric = m.contains("default_metric") ? m["default_metric"].get<std::string>() : "euclidean";
        const ordered_json& t = m["metrics"][metric][covered.name];
        std::printf("| %s (%s) | %.2f | %.4f | %.2f | %.1f |\n", config.c_str(), metric.c_str(),
                    100 * t["accuracy_10fold"].get<double>(), t["auc"].get<double>(), 100 * t["eer"].get<double>(),
                    100 * t["tar_at_far_1e-3"].get<double>());
      }
    }
    bench::write_cache(json_file, results);
  } catch (const Error& e) {
    std::cerr << "lfw_thresholds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
