// The JSON form of an attribute evaluation (json.h).
#include <cmath>

#include "facekit/json.h"

namespace facekit {

namespace {

using eval::AgeScores;
using eval::AttributeScores;
using eval::ClassScores;
using eval::Reliability;

// Shares, errors and probabilities to 1/10000 (json.cc's precision for
// scores); NaN (undefined: no faces) as null.
Json figure(double value) { return std::isfinite(value) ? Json(std::round(value * 10000) / 10000) : Json(nullptr); }

Json reliability_json(const Reliability& r) {
  Json bins = Json::array();
  for (const auto& b : r.bins)
    bins.push_back({{"lower", figure(b.lower)}, {"upper", figure(b.upper)}, {"count", b.count},
                    {"confidence", figure(b.confidence)}, {"accuracy", figure(b.accuracy)}});
  return {{"count", r.count}, {"ece", figure(r.ece)}, {"bins", bins}};
}

// The headline figures (with_details: the recall per class, the confusion
// matrix and the reliability bins too).
Json scores_json(const AttributeScores& scores, bool with_details) {
  if (const auto* a = std::get_if<AgeScores>(&scores)) {
    return {{"total", a->total}, {"found", a->found}, {"mae", figure(a->mae)}, {"bias", figure(a->bias)},
            {"within_5", figure(a->within_5)}, {"with_interval", a->with_interval},
            {"interval_coverage", figure(a->interval_coverage)}};
  }
  const auto& c = std::get<ClassScores>(scores);
  Json j = {{"total", c.total}, {"found", c.found}, {"accuracy", figure(c.accuracy)},
            {"balanced_accuracy", figure(c.balanced_accuracy)}, {"ece", figure(c.reliability.ece)}};
  if (!with_details) return j;
  Json recall = Json::object();
  for (size_t k = 0; k < c.classes.size(); ++k) recall[c.classes[k]] = figure(c.recall[k]);
  Json columns = c.classes;
  columns.push_back("missed");
  j["recall"] = recall;
  j["confusion"] = {{"rows", c.classes}, {"columns", columns}, {"counts", c.confusion}};
  j["calibration"] = reliability_json(c.reliability);
  return j;
}

Json breakdown_json(const eval::Breakdown& b) {
  Json groups = Json::array();
  for (const auto& [name, scores] : b.groups) {
    Json g = {{"group", name}};
    g.update(scores_json(scores, false));
    groups.push_back(g);
  }
  Json j = {{"by", eval::grouping_name(b.by)}, {"groups", groups}};
  j["gap"] = b.gap ? figure(*b.gap) : Json(nullptr);
  j["best"] = b.gap ? Json(b.best) : Json(nullptr);
  j["worst"] = b.gap ? Json(b.worst) : Json(nullptr);
  return j;
}

}  // namespace

Json to_json(const eval::AttributeReport& report) {
  Json missed = Json::array();
  for (const auto& m : report.missed) {
    Json entry;
    put_name(entry, "image", m.image.string());
    put_name(entry, "reason", m.reason);
    missed.push_back(entry);
  }
  Json attributes = Json::object();
  for (const auto& e : report.attributes) {
    Json sources = Json::array();
    for (const auto& s : e.sources) {
      Json breakdowns = Json::array();
      for (const auto& b : s.breakdowns) breakdowns.push_back(breakdown_json(b));
      sources.push_back({{"source", s.source}, {"overall", scores_json(s.overall, true)}, {"breakdowns", breakdowns}});
    }
    attributes[eval::attribute_name(e.attribute)] = {{"labelled", e.labelled}, {"sources", sources}};
  }
  return {{"faces", {{"total", report.total}, {"found", report.found}, {"missed", report.total - report.found}}},
          {"attributes", attributes},
          {"missed", missed}};
}

}  // namespace facekit
