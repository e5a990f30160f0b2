// Accuracy of every recognizer under every metric on two sets of pairs
// (docs/recognition.md holds the results):
//
//  yaleb      Extended Yale B (cropped) subjects 1–10 (../shared/data/yaleb):
//             every pair of images — same person across illumination vs
//             different people. The images are tight 168×192 crops aligned
//             on the eyes, where detectors fail (tests/data/faces-labelled.json
//             says why), so every image is aligned with ONE fixed set of 5
//             landmarks: face-api's 68-point landmarker run on the whole
//             image of each subject's frontally lit shot (P00A+000E+00),
//             averaged over the 10 subjects. The light never moves the face,
//             so alignment is not what is being measured. (A recognizer
//             whose crop needs the 68 points, `faceapi`, gets dlib's chip.)
//  perturbed  face-api's six sample photos (22 faces): each photo perturbed
//             (Gaussian blur, Gaussian noise, JPEG quality, rotation), faces
//             detected (SSD) and landmarked (faceapi-68) in the original and
//             in each perturbed copy. Genuine: a face vs its perturbed self
//             (matched by box centre, mapped through the rotation); impostors:
//             two different faces OF ONE PHOTO, original or perturbed — the
//             photos share people, and only faces in one photo are surely
//             different people.
//
// Prints a Markdown table per set and writes --json: per set, model and
// metric, the report summary and the calibration (match.h's format) that
// scripts/store_thresholds.py copies into models/manifest.json.
//   recognition_eval [--data ../shared/data] [--json recognition_eval.json]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "facekit/zoo.h"

namespace {

namespace fs = std::filesystem;
using namespace facekit;
using nlohmann::ordered_json;

// One face of one image, ready to align.
struct FaceSample {
  cv::Mat rgb;     // the image it is in
  Face face;       // with 5 landmarks
  int identity = 0;
  int photo = 0;   // which photo it comes from (perturbed set)
};

// Every pair of a set, as indices into its samples.
struct LabelledPair {
  size_t a, b;
  bool same;
};

// ---- Yale B ----------------------------------------------------------------

std::vector<FaceSample> yaleb_samples(const fs::path& root, Landmarker& landmarker) {
  std::vector<fs::path> subjects;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) subjects.push_back(e.path());
  std::sort(subjects.begin(), subjects.end());
  check(!subjects.empty(), root.string(), "holds no subject folders");

  // The fixed landmarks: the mean over the subjects' frontally lit shots.
  std::vector<cv::Point2f> fixed(5, cv::Point2f(0, 0));
  for (const fs::path& s : subjects) {
    const cv::Mat rgb = read_image((s / (s.filename().string() + "_P00A+000E+00.pgm")).string());
    Face whole;
    whole.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
    landmarker.locate(rgb, whole);
    for (int i = 0; i < 5; ++i) fixed[i] += whole.landmarks[i] * (1.0f / static_cast<float>(subjects.size()));
  }
  std::fprintf(stderr, "yaleb: fixed landmarks");
  for (const auto& p : fixed) std::fprintf(stderr, " (%.1f, %.1f)", p.x, p.y);
  std::fprintf(stderr, "\n");

  std::vector<FaceSample> samples;
  for (size_t id = 0; id < subjects.size(); ++id) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(subjects[id]))
      if (e.path().extension() == ".pgm") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      FaceSample s;
      s.rgb = read_image(f.string());
      s.face.box = cv::Rect2f(0, 0, static_cast<float>(s.rgb.cols), static_cast<float>(s.rgb.rows));
      s.face.score = 1;
      s.face.landmarks = fixed;
      s.identity = static_cast<int>(id);
      samples.push_back(std::move(s));
    }
  }
  return samples;
}

std::vector<LabelledPair> all_pairs(const std::vector<FaceSample>& samples) {
  std::vector<LabelledPair> pairs;
  for (size_t i = 0; i < samples.size(); ++i)
    for (size_t j = i + 1; j < samples.size(); ++j) pairs.push_back({i, j, samples[i].identity == samples[j].identity});
  return pairs;
}

// ---- Perturbed sample photos -----------------------------------------------

struct Perturbation {
  std::string name;
  std::function<cv::Mat(const cv::Mat&)> apply;
  double rotation_degrees = 0;  // about the image centre; 0 for photometric ones
};

cv::Mat rotated(const cv::Mat& rgb, double degrees) {
  const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(rgb.cols / 2.0f, rgb.rows / 2.0f), degrees, 1.0);
  cv::Mat out;
  cv::warpAffine(rgb, out, m, rgb.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  return out;
}

std::vector<Perturbation> perturbations() {
  auto blur = [](double sigma) { return [sigma](const cv::Mat& m) { cv::Mat o; cv::GaussianBlur(m, o, {0, 0}, sigma); return o; }; };
  auto noise = [](double sigma) {
    return [sigma](const cv::Mat& m) {
      cv::Mat n(m.size(), CV_32FC3);
      cv::RNG rng(20240601);  // fixed: the evaluation is reproducible
      rng.fill(n, cv::RNG::NORMAL, 0, sigma);
      cv::Mat f, o;
      m.convertTo(f, CV_32FC3);
      cv::Mat(f + n).convertTo(o, CV_8UC3);  // saturating
      return o;
    };
  };
  auto jpeg = [](int quality) {
    return [quality](const cv::Mat& m) {
      std::vector<uint8_t> bytes;
      cv::imencode(".jpg", m, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});  // channel order is irrelevant here
      return cv::imdecode(bytes, cv::IMREAD_COLOR);
    };
  };
  auto rotate = [](double d) { return [d](const cv::Mat& m) { return rotated(m, d); }; };
  return {{"blur σ=2", blur(2)},           {"blur σ=4", blur(4)},          {"noise σ=10", noise(10)},
          {"noise σ=25", noise(25)},       {"JPEG q=30", jpeg(30)},        {"JPEG q=10", jpeg(10)},
          {"rotation 10°", rotate(10), 10}, {"rotation 25°", rotate(25), 25}};
}

std::vector<Face> located_faces(const cv::Mat& rgb, Detector& detector, Landmarker& landmarker) {
  std::vector<Face> faces = detector.detect(rgb);
  for (Face& f : faces)
    if (f.landmarks.size() != 5) landmarker.locate(rgb, f);
  return faces;
}

struct PerturbedSet {
  std::vector<FaceSample> samples;
  std::vector<LabelledPair> pairs;
  int faces = 0;
  std::map<std::string, int> missed;  // perturbation → faces not found again
};

PerturbedSet perturbed_samples(const fs::path& photos, Detector& detector, Landmarker& landmarker) {
  PerturbedSet set;
  std::vector<size_t> originals;  // indices of the unperturbed faces
  for (int photo = 1; photo <= 6; ++photo) {
    const cv::Mat rgb = read_image((photos / ("sample" + std::to_string(photo) + ".jpg")).string());
    const std::vector<Face> faces = located_faces(rgb, detector, landmarker);
    const size_t first = set.samples.size();
    for (const Face& f : faces) {
      originals.push_back(set.samples.size());
      set.samples.push_back({rgb, f, set.faces++, photo});
    }
    for (const Perturbation& p : perturbations()) {
      const cv::Mat changed = p.apply(rgb);
      const std::vector<Face> found = located_faces(changed, detector, landmarker);
      const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(rgb.cols / 2.0f, rgb.rows / 2.0f), p.rotation_degrees, 1.0);
      for (size_t k = 0; k < faces.size(); ++k) {
        const FaceSample& original = set.samples[first + k];
        const cv::Point2f c = (original.face.box.tl() + original.face.box.br()) * 0.5f;
        const cv::Point2f mapped(static_cast<float>(m.at<double>(0, 0) * c.x + m.at<double>(0, 1) * c.y + m.at<double>(0, 2)),
                                 static_cast<float>(m.at<double>(1, 0) * c.x + m.at<double>(1, 1) * c.y + m.at<double>(1, 2)));
        const Face* match = nullptr;
        double nearest = 0.5 * original.face.box.width;  // farther is another face or none
        for (const Face& f : found) {
          const double d = cv::norm((f.box.tl() + f.box.br()) * 0.5f - mapped);
          if (d < nearest) nearest = d, match = &f;
        }
        if (!match) {
          ++set.missed[p.name];
          continue;
        }
        set.samples.push_back({changed, *match, original.identity, photo});
      }
    }
  }
  // Genuine: an original and its perturbed self. Impostors: different faces
  // of one photo, at least one of them an original (two perturbed copies add
  // nothing new).
  std::vector<bool> is_original(set.samples.size(), false);
  for (size_t i : originals) is_original[i] = true;
  for (size_t i = 0; i < set.samples.size(); ++i)
    for (size_t j = i + 1; j < set.samples.size(); ++j) {
      const bool same = set.samples[i].identity == set.samples[j].identity;
      const bool one_photo = set.samples[i].photo == set.samples[j].photo;
      if ((same && (is_original[i] != is_original[j])) ||
          (!same && one_photo && (is_original[i] || is_original[j])))
        set.pairs.push_back({i, j, same});
    }
  return set;
}

// ---- Scoring ---------------------------------------------------------------

std::vector<std::vector<float>> embed_samples(const std::vector<FaceSample>& samples, Recognizer& recognizer) {
  std::vector<cv::Mat> crops;
  for (const FaceSample& s : samples) crops.push_back(align_face(s.rgb, s.face, recognizer.alignment()));
  return recognizer.embed(crops);
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", 100 * v);
  return buf;
}

ordered_json evaluate_set(const std::string& set_name, const std::string& dataset,
                          const std::vector<FaceSample>& samples, const std::vector<LabelledPair>& pairs) {
  ordered_json results = ordered_json::object();
  std::printf("\n### %s\n\n| model | metric | AUC | EER %% | TAR@FAR=1e-2 %% | TAR@FAR=1e-3 %% | 10-fold acc. %% | threshold |\n"
              "|---|---|---|---|---|---|---|---|\n", set_name.c_str());
  for (const std::string& name : recognizer_names()) {
    auto recognizer = make_recognizer(name, {.threads = 1});
    // Yale B's faces carry 5 fixed landmarks and no 68: a recognizer fed
    // face-api's crop (placed from the 68) gets dlib's chip there instead.
    const bool without_68 =
        std::any_of(samples.begin(), samples.end(), [](const FaceSample& s) { return s.face.landmarks68.size() != 68; });
    if (recognizer->alignment().kind == AlignKind::kFaceapi && without_68)
      recognizer = make_recognizer(name, {.threads = 1, .alignment = "dlib"});
    const auto embeddings = embed_samples(samples, *recognizer);
    for (const std::string& metric_str : metric_names()) {
      const Metric metric = parse_metric(metric_str);
      std::vector<eval::ScoredPair> scored;
      for (size_t k = 0; k < pairs.size(); ++k)
        scored.push_back({distance(embeddings[pairs[k].a], embeddings[pairs[k].b], metric), pairs[k].same,
                          static_cast<int>(k % 10)});
      const eval::Report report = eval::evaluate(scored, set_name);
      auto tar = [&](size_t k) {
        const eval::TarAtFar& t = report.tar_at_far.at(k);
        return t.measurable ? percent(t.tar) : std::string("n/a");
      };
      std::printf("| %s | %s | %.4f | %s | %s | %s | %s ± %s | %.4g |\n", name.c_str(), metric_str.c_str(), report.auc,
                  percent(report.eer.rate).c_str(), tar(0).c_str(), tar(1).c_str(),
                  percent(report.cross_validation.mean_accuracy).c_str(),
                  percent(report.cross_validation.std_accuracy).c_str(), report.best.threshold);
      std::fflush(stdout);
      const Calibration c = eval::calibration_from(report, recognizer->card().model, metric, dataset);
      results[name]["model_id"] = recognizer->card().model;
      results[name][metric_str] = {{"report", eval::report_to_json(report, false)},
                                   {"calibration", calibration_to_json(c)}};
    }
  }
  return results;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"accuracy of every recognizer and metric on Yale B and perturbed sample photos"};
  std::string data = "../shared/data", json_out = "recognition_eval.json";
  app.add_option("--data", data, "the shared data folder (holds yaleb/)")->capture_default_str();
  app.add_option("--json", json_out, "write the results here")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    auto landmarker = make_landmarker("faceapi-68");
    auto detector = make_detector("ssd");
    ordered_json out;
    const fs::path yaleb = fs::path(data) / "yaleb";
    if (fs::is_directory(yaleb)) {
      const auto samples = yaleb_samples(yaleb, *landmarker);
      const auto pairs = all_pairs(samples);
      std::fprintf(stderr, "yaleb: %zu images, %zu pairs\n", samples.size(), pairs.size());
      out["yaleb"] = evaluate_set("Yale B subjects 1-10, all pairs", 
                                  "Extended Yale B cropped, subjects 1-10, all pairs (bench/recognition_eval.cc)",
                                  samples, pairs);
    } else {
      std::fprintf(stderr, "%s not found: Yale B skipped\n", yaleb.c_str());
    }
    const PerturbedSet set = perturbed_samples(zoo::require("faceapi-samples").parent_path(), *detector, *landmarker);
    std::fprintf(stderr, "perturbed: %d faces, %zu samples, %zu pairs\n", set.faces, set.samples.size(), set.pairs.size());
    for (const auto& [name, n] : set.missed) std::fprintf(stderr, "  %s: %d faces not found\n", name.c_str(), n);
    out["perturbed"] = evaluate_set("face-api samples under perturbation", "face-api samples, perturbed", set.samples,
                                    set.pairs);
    out["perturbed_missed"] = set.missed;
    std::ofstream(json_out) << out.dump(1) << "\n";
  } catch (const Error& e) {
    std::cerr << "recognition_eval: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
