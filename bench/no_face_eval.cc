// How often the pipeline loses a face, and what it costs in verification
// (docs/recognition.md, "Faces lost and found").
//
//   build/no_face_eval recall --lfw PAIRS --root DIR | --folder DIR | --crops
//                      [--sample 400] [--seed 7] [--detectors ssd,mtcnn,blazeface-full]
//                      [--pads grey:0.5,replicate:0.5]
//     per detector: the share of images with a face, by plain detection and
//     after the padded retry of each --pads spec on the images it missed; on
//     LFW also the share whose largest face (the one verify and eval embed)
//     covers the image centre, where LFW puts the labelled person; CPU ms per
//     image (one thread). --crops: the labelled faces of face-api's samples
//     (tests/data/faces-labelled.json) cut at their boxes, tight crops.
//
//   build/no_face_eval pairs --pairs pairsDevTest.txt --root DIR [--detector mtcnn]
//                      [--model mobilefacenet] [--pad grey:0.5|none] [--fallback] [--json out.json]
//     `facekit eval` with the retry and the fallback as options: every pair
//     counted (eval.h), the all-pairs and scored-pairs figures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "facekit/zoo.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "none", or "grey:F" / "replicate:F".
std::optional<PadOptions> parse_pad(const std::string& spec) {
  if (spec == "none") return std::nullopt;
  const auto colon = spec.find(':');
  check(colon != std::string::npos, spec, "expected none, grey:FRACTION or replicate:FRACTION");
  PadOptions pad;
  const std::string fill = spec.substr(0, colon);
  check(fill == "grey" || fill == "replicate", spec, "the fill is grey or replicate");
  pad.fill = fill == "grey" ? PadOptions::Fill::kGrey : PadOptions::Fill::kReplicate;
  pad.fraction = std::stof(spec.substr(colon + 1));
  return pad;
}

// A seeded sample of `n` of `all` (all when n is 0 or more), sorted: Fisher–Yates
// on std::mt19937, whose sequence the standard fixes.
std::vector<fs::path> sample(std::vector<fs::path> all, size_t n, uint32_t seed) {
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (n == 0 || n >= all.size()) return all;
  std::mt19937 rng(seed);
  for (size_t i = all.size() - 1; i > 0; --i) std::swap(all[i], all[rng() % (i + 1)]);
  all.resize(n);
  std::sort(all.begin(), all.end());
  return all;
}

struct NamedImage {
  std::string name;
  cv::Mat rgb;
};

std::vector<NamedImage> labelled_crops() {
  const fs::path labels = fs::path(FACEKIT_SOURCE_DIR) / "tests/data/faces-labelled.json";
  std::ifstream in(labels);
  check(in.good(), labels.string(), "cannot be opened");
  const json j = json::parse(in);
  const fs::path samples = zoo::require("faceapi-samples").parent_path();
  std::vector<NamedImage> crops;
  for (const auto& entry : j.at("images")) {
    const cv::Mat rgb = read_image((samples / entry.at("file").get<std::string>()).string());
    int k = 0;
    for (const auto& b : entry.at("faces")) {
      const cv::Rect box = cv::Rect(b.at(0).get<int>(), b.at(1).get<int>(), b.at(2).get<int>(), b.at(3).get<int>()) &
                           cv::Rect(0, 0, rgb.cols, rgb.rows);
      crops.push_back({entry.at("file").get<std::string>() + "#" + std::to_string(k++), rgb(box).clone()});
    }
  }
  return crops;
}

double cpu_ms() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

int run_recall(const std::vector<NamedImage>& images, bool centre, const std::vector<std::string>& detectors,
               const std::vector<std::string>& pads) {
  std::printf("| detector | images | face found | + padded retry | largest face at the centre | CPU ms / image |\n");
  std::printf("|---|---:|---:|---|---:|---:|\n");
  for (const std::string& name : detectors) {
    auto detector = make_detector(name, {.threads = 1});
    int found = 0, at_centre = 0;
    std::vector<int> found_padded(pads.size(), 0);
    double ms = 0;
    std::vector<std::string> missed;
    for (const auto& image : images) {
      const double start = cpu_ms();
      auto faces = detector->detect(image.rgb);
      ms += cpu_ms() - start;
      found += !faces.empty();
      if (faces.empty()) missed.push_back(image.name);
      for (size_t p = 0; p < pads.size(); ++p)
        found_padded[p] += !faces.empty() || !detect_padded(*detector, image.rgb, *parse_pad(pads[p])).empty();
      if (centre && !faces.empty()) {
        const cv::Point2f middle(image.rgb.cols / 2.f, image.rgb.rows / 2.f);
        at_centre += faces[*largest_face(faces)].box.contains(middle);
      }
    }
    const double n = static_cast<double>(images.size());
    std::string padded;
    for (size_t p = 0; p < pads.size(); ++p) {
      char cell[64];
      std::snprintf(cell, sizeof cell, "%s%s %.1f%%", p ? ", " : "", pads[p].c_str(), 100 * found_padded[p] / n);
      padded += cell;
    }
    char centre_cell[16] = "—";
    if (centre) std::snprintf(centre_cell, sizeof centre_cell, "%.1f%%", 100 * at_centre / n);
    std::printf("| %s | %zu | %.1f%% | %s | %s | %.1f |\n", name.c_str(), images.size(), 100 * found / n, padded.c_str(),
                centre_cell, ms / n);
    std::fflush(stdout);
    std::fprintf(stderr, "%s missed %zu:", name.c_str(), missed.size());
    for (size_t i = 0; i < missed.size() && i < 12; ++i) std::fprintf(stderr, " %s", missed[i].c_str());
    std::fprintf(stderr, "\n");
  }
  return 0;
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  using namespace facekit;
  CLI::App app{"faces lost by detection, and their cost in verification"};
  app.require_subcommand(1);
  std::string lfw, root, folder, detectors = "ssd,mtcnn,blazeface-full", pads = "grey:0.5,replicate:0.5";
  size_t sample_size = 400;
  uint32_t seed = 7;
  bool crops = false;
  auto* recall = app.add_subcommand("recall", "the share of images each detector finds a face in");
  recall->add_option("--lfw", lfw, "an LFW pairs file: its images (with --root)");
  recall->add_option("--folder", folder, "every image under this folder (recursively)");
  recall->add_flag("--crops", crops, "the labelled sample faces cut at their boxes");
  recall->add_option("--root", root, "LFW image root");
  recall->add_option("--sample", sample_size, "images drawn (0: all)")->capture_default_str();
  recall->add_option("--seed", seed)->capture_default_str();
  recall->add_option("--detectors", detectors)->capture_default_str();
  recall->add_option("--pads", pads, "padded retries to compare: grey:F, replicate:F")->capture_default_str();

  std::string pairs_file, detector = kDefaultDetector, model = "mobilefacenet", pad = "grey:0.5", json_out;
  bool fallback = false;
  auto* pairs = app.add_subcommand("pairs", "every pair counted, with the retry and the fallback as options");
  pairs->add_option("--pairs", pairs_file)->required();
  pairs->add_option("--root", root)->required();
  pairs->add_option("--detector", detector)->capture_default_str();
  pairs->add_option("--model", model)->capture_default_str();
  pairs->add_option("--pad", pad, "none, grey:F or replicate:F")->capture_default_str();
  pairs->add_flag("--fallback", fallback, "the whole image when no face is found");
  pairs->add_option("--json", json_out, "the full report");
  CLI11_PARSE(app, argc, argv);

  const auto split = [](const std::string& list) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream in(list);
    while (std::getline(in, item, ',')) items.push_back(item);
    return items;
  };
  try {
    if (*recall) {
      std::vector<NamedImage> images;
      if (crops) {
        images = labelled_crops();
      } else {
        std::vector<fs::path> paths;
        if (!lfw.empty())
          for (const auto& p : eval::read_lfw_pairs(lfw, root)) paths.insert(paths.end(), {p.a, p.b});
        else
          for (const auto& e : fs::recursive_directory_iterator(folder))
            if (e.is_regular_file() && (has_image_extension(e.path()) || e.path().extension() == ".pgm"))
              paths.push_back(e.path());
        for (const auto& p : sample(paths, sample_size, seed)) images.push_back({p.string(), read_image(p.string())});
      }
      return run_recall(images, !lfw.empty(), split(detectors), split(pads));
    }
    auto det = make_detector(detector, {.threads = 1});
    auto landmarker = make_landmarker("faceapi-68", {.threads = 1});
    auto recognizer = make_recognizer(model, {.threads = 1});
    EmbedFacesOptions options;
    options.one_face = parse_face_choice(kDefaultFace);
    options.retry_padded = parse_pad(pad);
    options.whole_image_fallback = fallback;
    const auto scores = eval::score_pairs(eval::read_lfw_pairs(pairs_file, root), parse_metric(recognizer->card().metric),
                                          [&](const fs::path& image) -> std::optional<eval::ImageEmbedding> {
                                            const auto faces = embed_faces(read_image(image.string()), det.get(),
                                                                           *recognizer, landmarker.get(), options);
                                            if (faces.empty()) return std::nullopt;
                                            return eval::ImageEmbedding{faces[0].embedding, faces[0].face_found};
                                          });
    const auto evaluation = eval::evaluate_pairs(scores, pairs_file);
    const json report = eval::pair_evaluation_to_json(scores, evaluation, !json_out.empty());
    if (!json_out.empty()) std::ofstream(json_out) << report.dump(1) << "\n";
    const auto line = [](const char* what, const json& r) {
      std::printf("%-13s 10-fold %.2f ± %.2f %%, AUC %.4f, EER %.2f %%, TAR@FAR=1e-3 %s\n", what,
                  100 * r["cross_validation"]["mean_accuracy"].get<double>(),
                  100 * r["cross_validation"]["std_accuracy"].get<double>(), r["auc"].get<double>(),
                  100 * r["eer"]["rate"].get<double>(),
                  r["tar_at_far"]["1e-3"]["measurable"].get<bool>()
                      ? (std::to_string(100 * r["tar_at_far"]["1e-3"]["tar"].get<double>()) + " %").c_str()
                      : "n/a");
    };
    std::printf("%s, %s, pad %s%s: pairs %lld, scored %lld, missed %lld, whole-image %lld\n", detector.c_str(),
                model.c_str(), pad.c_str(), fallback ? ", fallback" : "", report["pairs"]["total"].get<long long>(),
                report["pairs"]["scored"].get<long long>(), report["pairs"]["missed"].get<long long>(),
                report["pairs"]["whole_image"].get<long long>());
    line("all pairs", report["all_pairs"]);
    if (!report["scored_pairs"].is_null()) line("scored pairs", report["scored_pairs"]);
  } catch (const Error& e) {
    std::cerr << "no_face_eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
