#include "attribute_eval_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "facekit/attribute_eval.h"
#include "facekit/combination_fit.h"
#include "facekit/error.h"
#include "facekit/json.h"
#include "progress.h"

namespace facekit::cli {

namespace {

constexpr size_t kMissesShown = 10;  // on stderr; all of them are in the JSON

std::string actions_for(const std::vector<eval::Attribute>& attributes) {
  std::string actions;
  for (eval::Attribute a : attributes) actions += std::string(actions.empty() ? "" : ",") + eval::attribute_name(a);
  return actions;
}

std::string read_text(const std::string& file) {
  std::ifstream in(file);
  check(in.good(), file, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<eval::FaceOutcome> analyze_all(const std::vector<eval::LabelledFace>& faces, const AnalyzeRequest& request,
                                           const EngineOptions& engine_options) {
  Engine engine(engine_options);
  engine.prepare(request);
  Progress progress(faces.size());
  auto outcomes = eval::analyze_labelled_faces(
      faces,
      [&](const std::filesystem::path& image) {
        const AnalyzeResult r = engine.analyze(read_named_image(image.string()), request);
        return eval::outcome_of(r.faces, r.analyses);
      },
      [&](size_t done, size_t, const std::filesystem::path& image) { progress.update(done, image.filename().string()); });
  progress.clear();
  return outcomes;
}

}  // namespace

int run_attribute_eval(const AttributeEvalOptions& o, const EngineOptions& engine_options) {
  const std::filesystem::path root = o.root.empty() ? std::filesystem::path(o.labels).parent_path() : std::filesystem::path(o.root);
  const std::vector<eval::LabelledFace> faces = eval::read_attribute_labels(o.labels, root);
  AnalyzeRequest request = o.analysis;
  request.actions = actions_for(eval::labelled_attributes(faces));
  const std::vector<eval::FaceOutcome> outcomes =
      o.analyses.empty() ? analyze_all(faces, request, engine_options)
                         : eval::outcomes_from_analyses(faces, o.analyses, parse_actions(request.actions));
  if (!o.fit_out.empty()) {
    // A file already there is the start: its attributes not labelled here stay.
    const bool refit = std::filesystem::exists(o.fit_out);
    const AnalysisCombination start = refit ? parse_combination(read_text(o.fit_out), o.fit_out) : default_combination();
    eval::CombinationFit fit = eval::fit_combination(faces, outcomes, start);
    const std::string command = "facekit eval --attributes " + o.labels + " --root " + root.string() +
                                (request.no_detect ? " --no-detect" : " --detector " + request.detector) +
                                (o.analyses.empty() ? "" : " --analyses " + o.analyses) + " --fit-combination " +
                                o.fit_out;
    const std::string fitted_on = o.labels + " (" + std::to_string(faces.size()) + " faces)";
    const auto joined = [&](const std::string& before, const std::string& now, const char* separator) {
      if (!refit || before.empty()) return now;
      return before.find(now) != std::string::npos ? before : before + separator + now;
    };
    fit.combination.recipe = joined(start.recipe, command, " && ");
    fit.combination.fitted_on = joined(start.fitted_on, fitted_on, "; ");
    std::ofstream out(o.fit_out);
    out << combination_json(fit.combination);
    check(out.good(), o.fit_out, "cannot be written");
    for (const auto& a : fit.attributes) {
      std::cerr << "facekit: " << a.name << " fitted on " << a.faces << " faces, cross-validated "
                << (a.name == "age" ? "MAE " : "NLL ") << a.cv_loss;
      for (const auto& head : a.dropped) std::cerr << "; " << head << " left out";
      std::cerr << "\n";
    }
  }
  const eval::AttributeReport report = eval::evaluate_attributes(faces, outcomes);
  for (size_t i = 0; i < report.missed.size() && i < kMissesShown; ++i)
    std::cerr << "facekit: " << report.missed[i].reason << "; counted as a miss\n";
  if (report.missed.size() > kMissesShown)
    std::cerr << "facekit: " << report.missed.size() - kMissesShown << " more misses (all of them in the JSON report)\n";

  Json json;
  put_name(json, "labels", o.labels);
  json["detector"] = request.no_detect ? "none" : request.detector;
  json["actions"] = request.actions;
  if (!o.analyses.empty()) put_name(json, "analyses", o.analyses);
  json.update(to_json(report));
  if (o.text) std::cout << "detector " << (request.no_detect ? "none (--no-detect)" : request.detector) << "\n"
                        << eval::attribute_report_text(report) << std::flush;
  else std::cout << dump(json, 1) << std::endl;
  if (!o.json_out.empty()) {
    std::ofstream out(o.json_out);
    out << dump(json, 1) << "\n";
    check(out.good(), o.json_out, "cannot be written");
  }
  if (!o.reliability_out.empty()) {
    std::vector<eval::ReliabilityCurve> curves;
    for (const auto& e : report.attributes)
      if (const auto* c = std::get_if<eval::ClassScores>(&e.sources.front().overall))
        curves.push_back({eval::attribute_name(e.attribute), c->reliability});
    check(!curves.empty(), o.reliability_out, "no labelled class attribute (gender, race, emotion) to plot");
    eval::write_reliability_plot(o.reliability_out, curves, "Reliability: " + o.labels);
  }
  return 0;
}

}  // namespace facekit::cli
