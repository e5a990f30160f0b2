#include "calibrate_command.h"

#include <iostream>

namespace facekit::cli {

CLI::App* add_calibrate_command(CLI::App& app, CalibrateCommandOptions& o) {
  auto* cmd = app.add_subcommand("calibrate", "fit and store a model's thresholds and confidence on labelled pairs");
  add_pair_source_options(cmd, o.source);
  add_recognition_options(cmd, o.recognition, true);
  add_threads_option(cmd, o.engine);
  cmd->add_option("--dataset", o.dataset, "name the pairs in the stored calibration (default: the source)");
  return cmd;
}

int run_calibrate(const CalibrateCommandOptions& o) {
  RecognitionModels models = load_recognition_models(o.recognition, o.engine.threads);
  const std::string source = pair_source_name(o.source);
  int64_t skipped = 0;
  const auto scored = score_pairs(read_pairs(o.source), models, skipped);
  const eval::Report report = eval::evaluate(scored, source);
  const std::string model_id = models.recognizer->card().model;
  const Calibration c =
      eval::calibration_from(report, model_id, models.metric, o.dataset.empty() ? source : o.dataset);
  save_calibration(c);
  const nlohmann::ordered_json out = {{"model", models.recognizer->name()},
                                      {"model_id", model_id},
                                      {"metric", metric_name(models.metric)},
                                      {"file", calibration_path(model_id).string()},
                                      {"skipped_pairs", skipped},
                                      {"thresholds", {{metric_name(models.metric), calibration_to_json(c)}}}};
  std::cout << out.dump(1) << std::endl;
  return 0;
}

}  // namespace facekit::cli
