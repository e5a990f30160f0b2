#include "verify_command.h"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "facekit/error.h"

namespace facekit::cli {

namespace {

using json = nlohmann::ordered_json;

double rounded(double value) { return std::round(value * 1e6) / 1e6; }

json optional_json(const std::optional<double>& v) { return v ? json(rounded(*v)) : json(nullptr); }

struct PairResult {
  size_t a = 0, b = 0;  // face indices
  Verification v;
};

void print_text(const VerifyCommandOptions& o, const RecognitionModels& m, const PairResult& best,
                const Calibration& calibration) {
  std::printf("%s vs %s: %s (%s distance %.4f, threshold %.4f", o.a.c_str(), o.b.c_str(),
              best.v.verified ? "SAME person" : "DIFFERENT people", metric_name(m.metric).c_str(), best.v.distance,
              best.v.threshold);
  if (best.v.confidence) std::printf(", confidence %.1f%%", 100 * *best.v.confidence);
  std::printf("; model %s, detector %s, threshold from %s)\n", m.recognizer->name().c_str(), m.detector_name.c_str(),
              best.v.threshold_source == ThresholdSource::kUser ? "--threshold" : calibration.source.c_str());
}

}  // namespace

CLI::App* add_verify_command(CLI::App& app, VerifyCommandOptions& o) {
  auto* cmd = app.add_subcommand("verify", "are the faces of two images the same person?");
  cmd->add_option("a", o.a, "first image")->required();
  cmd->add_option("b", o.b, "second image")->required();
  o.recognition.if_no_face = "whole-image";  // an answer, flagged, rather than no answer
  add_recognition_options(cmd, o.recognition, true);
  cmd->add_option("--threshold", o.threshold, "decision threshold (default: the calibrated one)");
  cmd->add_flag("--all-pairs", o.all_pairs, "every face of A against every face of B (default: the largest of each)");
  auto* json_flag = cmd->add_flag("--json")->description("JSON (the default)");
  cmd->add_flag("--text", o.text, "a sentence instead of JSON")->excludes(json_flag);
  return cmd;
}

int run_verify(const VerifyCommandOptions& o) {
  RecognitionModels m = load_recognition_models(o.recognition);
  const Calibration calibration = recognizer_calibration(*m.recognizer, m.metric);
  if (!o.threshold)  // say what is missing before any image is read
    check(calibration.threshold.has_value(), "model " + m.recognizer->name() + ", metric " + metric_name(m.metric),
          "no threshold is known: run `facekit calibrate --model " + m.recognizer->name() + " --metric " +
              metric_name(m.metric) + " ...` or pass --threshold");

  const std::vector<FaceEmbedding> a = embed_image(o.a, m, !o.all_pairs);
  check(!a.empty(), o.a, kNoFaceAdvice);
  const std::vector<FaceEmbedding> b = embed_image(o.b, m, !o.all_pairs);
  check(!b.empty(), o.b, kNoFaceAdvice);
  for (const auto* image : {&a, &b})
    if (m.detector && !image->front().face_found)
      std::cerr << "facekit: " << (image == &a ? o.a : o.b)
                << ": no face found, also with a padded border: the whole image is the face (face_found: false; "
                   "--if-no-face refuse makes this an error)\n";

  std::vector<PairResult> pairs;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j)
      pairs.push_back({i, j, verify(a[i].embedding, b[j].embedding, m.metric, o.threshold, calibration)});
  const PairResult* best = &pairs[0];
  for (const PairResult& p : pairs)
    if (p.v.distance < best->v.distance) best = &p;

  if (o.text) {
    print_text(o, m, *best, calibration);
    return 0;
  }
  json out = {{"verified", best->v.verified},
              {"distance", rounded(best->v.distance)},
              {"threshold", rounded(best->v.threshold)},
              {"threshold_source", best->v.threshold_source == ThresholdSource::kUser ? "user" : calibration.source},
              {"metric", metric_name(m.metric)},
              {"model", m.recognizer->name()},
              {"detector", m.detector_name},
              {"confidence", optional_json(best->v.confidence)},
              {"probability_same", optional_json(best->v.probability_same)},
              {"faces", {{{"image", o.a}, {"face", face_summary_json(a[best->a].face)}, {"face_found", a[best->a].face_found}},
                         {{"image", o.b}, {"face", face_summary_json(b[best->b].face)}, {"face_found", b[best->b].face_found}}}}};
  if (o.all_pairs) {
    json list = json::array();
    for (const PairResult& p : pairs)
      list.push_back({{"a", p.a},
                      {"b", p.b},
                      {"verified", p.v.verified},
                      {"distance", rounded(p.v.distance)},
                      {"confidence", optional_json(p.v.confidence)}});
    out["pairs"] = std::move(list);
  }
  std::cout << out.dump(1) << std::endl;
  return 0;
}

}  // namespace facekit::cli
