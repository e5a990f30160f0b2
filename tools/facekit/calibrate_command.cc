#include "calibrate_command.h"

#include <iostream>

namespace facekit::cli {

CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommandOptions& o) {
  auto* cmd = app.add_subcommand("calibrate", "fit and store a model's thresholds and confidence on labelled pairs");
  add_pair_source_options(cmd, o.source);
  add_recognition_options(cmd, o.recognition, true);
  add_face_option(cmd, o.recognition);
  add_threads_option(cmd, o.engine);
  cmd->add_option("--dataset", o.dataset, "name the pairs in the stored calibration (default: the source)");
  return cmd;
}

namespace {

// The command that fits a fusion as `o` asks, for its card's "recipe".
std::string fusion_recipe(const CalibrateCommandOptions& o) {
  const PairSourceOptions& s = o.source;
  std::string recipe = "facekit calibrate --model " + o.recognition.model;
  if (!s.lfw_pairs.empty()) recipe += " --pairs " + s.lfw_pairs + " --root " + s.root;
  if (!s.csv.empty()) recipe += " --csv " + s.csv + (s.root.empty() ? "" : " --root " + s.root);
  if (!s.folders.empty())
    recipe += " --folders " + s.folders + " --pairs-per-class " + std::to_string(s.sampling.pairs_per_class) +
              " --seed " + std::to_string(s.sampling.seed);
  const RecognitionRequest& r = o.recognition;
  recipe += r.no_detect ? " --no-detect" : " --detector " + r.detector + " --landmarker " + r.landmarker;
  return recipe + " --if-no-face " + r.if_no_face + " --face " + r.face;
}

int calibrate_fusion(const CalibrateCommandOptions& o, Engine& engine) {
  const Engine::FusedRequest fusion = engine.unfitted_fusion(o.recognition);
  const std::vector<eval::PairScores> members = score_members(o.source, engine, fusion);
  FusionCard card = fit_fusion(fusion.card.members, members);
  // The decision threshold of best accuracy on these pairs, every pair
  // counted, as a single model's calibration stores (the logistic's 0.5
  // leans toward the genuine pairs whose chosen face is someone else).
  const eval::AccuracyAt best = eval::best_accuracy(fuse_pair_scores(card, members).pairs);
  card.threshold = 1 - best.threshold;
  card.dataset = o.dataset.empty() ? pair_source_name(o.source) : o.dataset;
  card.recipe = fusion_recipe(o);
  save_fusion_card(card);
  const eval::PairScores fused = fuse_pair_scores(card, members);
  const double accuracy = eval::accuracy_at(fused.pairs, 1 - card.threshold);
  const nlohmann::ordered_json out = {{"model", card.name},
                                      {"file", fusion_card_path(card.name).string()},
                                      {"missed_pairs", static_cast<int64_t>(fused.pairs.size()) - card.pairs},
                                      {"accuracy_at_threshold", accuracy},
                                      {"card", fusion_card_to_json(card)}};
  std::cout << out.dump(1) << std::endl;
  return 0;
}

}  // namespace

int run_calibrate(const CalibrateCommandOptions& o) {
  Engine engine(o.engine);
  if (is_fusion(o.recognition.model)) return calibrate_fusion(o, engine);
  const ScoredPairSource scored = score_pair_source(o.source, engine, o.recognition);
  const RecognizerCard& card = scored.card;
  const Metric metric = parse_metric(scored.metric);
  const std::string& source = scored.source;
  const eval::PairScores& scores = scored.scores;
  // Thresholds are fitted on the faces found: a miss has no distance to place.
  const eval::Report report = eval::evaluate(eval::scored_only(scores.pairs), source);
  const int64_t missed = static_cast<int64_t>(scores.pairs.size()) - report.genuine - report.impostors;
  const std::string model_id = card.model;
  const Calibration c = eval::calibration_from(report, model_id, metric, o.dataset.empty() ? source : o.dataset);
  save_calibration(c);
  const nlohmann::ordered_json out = {{"model", card.name},
                                      {"model_id", model_id},
                                      {"metric", metric_name(metric)},
                                      {"file", calibration_path(model_id).string()},
                                      {"missed_pairs", missed},
                                      {"thresholds", {{metric_name(metric), calibration_to_json(c)}}}};
  std::cout << out.dump(1) << std::endl;
  return 0;
}

}  // namespace facekit::cli
