#include "eval_command.h"

#include <fstream>
#include <iostream>

#include "facekit/error.h"

namespace facekit::cli {

namespace {

// The crop and flip each recognizer of `scored` used (a fusion's members in
// its card's order), so that a report says which pipeline it measured.
nlohmann::ordered_json recognizers_json(Engine& engine, const RecognitionRequest& request,
                                        const ScoredPairSource& scored) {
  std::vector<RecognizerCard> cards;
  if (is_fusion(request.model))
    for (const RecognitionRequest& member : Engine::fused_request(request).members) cards.push_back(engine.card_of(member));
  else
    cards.push_back(scored.card);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const RecognizerCard& card : cards)
    out.push_back({{"model", card.name}, {"crop", card.alignment.name}, {"flip", card.flip}});
  return out;
}

}  // namespace

CLI::App* add_eval_command(CLI::App& app, EvalCommandOptions& o) {
  auto* cmd = app.add_subcommand(
      "eval", "ROC, AUC, EER, TAR@FAR and accuracy of a model on labelled pairs; with --attributes, the analysis on labelled faces");
  add_pair_source_options(cmd, o.source);
  o.recognition.if_no_face = "whole-image";  // measures what verify does
  add_recognition_options(cmd, o.recognition, true);
  add_face_option(cmd, o.recognition);
  add_threads_option(cmd, o.engine);
  cmd->add_option("--json", o.json_out, "write the full report, ROC included, as JSON");
  auto* roc = cmd->add_option("--roc", o.roc_out, "write the ROC plot (PNG)");
  o.detector = cmd->get_option("--detector");

  add_threshold_options(cmd, o.threshold, o.far,
                        "also report FAR, TAR and accuracy at this threshold (operating_point)");

  auto* attributes = cmd->add_option("--attributes", o.attributes.labels,
                                     "labelled faces instead of pairs: a CSV of file and any of age, gender, race, "
                                     "emotion (images under --root, default the CSV's folder)");
  cmd->add_flag("--text", o.attributes.text, "with --attributes: a readable report instead of JSON");
  cmd->add_option("--reliability", o.attributes.reliability_out,
                  "with --attributes: write the reliability diagram (PNG)");
  cmd->add_option("--analyses", o.attributes.analyses,
                  "with --attributes: read the heads' views from saved `facekit analyze --json` lines (one per image) "
                  "instead of running them; the combination is recomputed")
      ->check(CLI::ExistingFile);
  cmd->add_option("--fit-combination", o.attributes.fit_out,
                  "with --attributes: fit the analyzer's combination of heads on these faces and write it (JSON, the "
                  "form of models/analysis_combination.json)");
  for (const char* pair_only : {"--pairs", "--csv", "--folders", "--pairs-per-class", "--seed", "--model", "--metric",
                                "--landmarker", "--if-no-face", "--alignment", "--flip", "--face", "--threshold", "--far"})
    attributes->excludes(cmd->get_option(pair_only));
  attributes->excludes(roc);
  return cmd;
}

int run_eval(const EvalCommandOptions& o) {
  if (!o.attributes.labels.empty()) {
    AttributeEvalOptions attributes = o.attributes;
    attributes.root = o.source.root;
    attributes.json_out = o.json_out;
    attributes.analysis.no_detect = o.recognition.no_detect;
    // analyze's own detector (ssd) unless one was asked for.
    if (o.detector->count() > 0) attributes.analysis.detector = o.recognition.detector;
    return run_attribute_eval(attributes, o.engine);
  }
  check(!o.attributes.text && o.attributes.reliability_out.empty() && o.attributes.analyses.empty() &&
            o.attributes.fit_out.empty(),
        "--text, --reliability, --analyses and --fit-combination", "go with --attributes");
  Engine engine(o.engine);
  // --threshold or --far: checked before any image is read.
  std::optional<Engine::ThresholdChoice> operating;
  if (o.threshold || o.far) operating = engine.threshold_of(o.recognition, o.threshold, o.far);
  const ScoredPairSource scored = score_pair_source(o.source, engine, o.recognition);
  const std::string& source = scored.source;
  const eval::PairScores& scores = scored.scores;
  for (const auto& missed : scores.missed_images)
    std::cerr << "facekit: " << missed.reason << "; its pairs count as wrong\n";
  const eval::PairEvaluation evaluation = eval::evaluate_pairs(scores, source);

  nlohmann::ordered_json header = {{"model", scored.model},
                                   {"metric", scored.metric},
                                   {"recognizers", recognizers_json(engine, o.recognition, scored)},
                                   {"detector", o.recognition.no_detect ? "none" : o.recognition.detector},
                                   {"landmarker", o.recognition.landmarker},
                                   {"face", o.recognition.face},
                                   {"if_no_face", o.recognition.if_no_face},
                                   {"source", source}};
  if (operating) {
    const eval::OperatingPoint p = eval::operating_point(scores.pairs, operating->threshold, source);
    header["operating_point"] = {{"threshold", p.threshold},    {"threshold_source", operating->source},
                                 {"far", p.far},                {"tar", p.tar},
                                 {"accuracy", p.accuracy}};
  }
  nlohmann::ordered_json summary = header;
  summary.update(nlohmann::ordered_json(eval::pair_evaluation_to_json(scores, evaluation, false)));
  std::cout << summary.dump(1) << std::endl;
  if (!o.json_out.empty()) {
    nlohmann::ordered_json full = header;
    full.update(nlohmann::ordered_json(eval::pair_evaluation_to_json(scores, evaluation, true)));
    std::ofstream out(o.json_out);
    out << full.dump(1) << "\n";
    check(out.good(), o.json_out, "cannot be written");
  }
  if (!o.roc_out.empty())
    eval::write_roc_plot(o.roc_out, {{scored.model + " / " + scored.metric + ", every pair", evaluation.all_pairs.roc}},
                         {.title = "ROC: " + source});
  return 0;
}

}  // namespace facekit::cli
