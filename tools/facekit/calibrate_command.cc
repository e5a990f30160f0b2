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
  Engine engine(o.engine);
  const auto [card, metric, source, scores] = score_pair_source(o.source, engine, o.recognition);
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
