// Labelled faces through the analyzer, and the report of every source's
// estimates per attribute, overall and by the faces' other labels.
#include <algorithm>
#include <cmath>
#include <set>

#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

AttributeEstimate estimate_of(const std::optional<AgeEstimate>& age, std::optional<float> male,
                              const std::vector<std::pair<std::string, float>>& race,
                              const std::optional<EmotionDistribution>& emotion) {
  AttributeEstimate e;
  if (age) {
    e.age = age->years;
    e.age_uncertainty = age->uncertainty;
  }
  e.male_probability = male;
  e.emotion = emotion;
  if (!race.empty()) {
    std::array<float, 5> p{};
    bool any = false;
    for (const auto& [name, probability] : race)
      for (size_t k = 0; k < kRaceNames.size(); ++k)
        if (name == kRaceNames[k]) {
          p[k] = probability;
          any = true;
        }
    if (any) e.race = p;
  }
  return e;
}

// The probabilities `e` gives the classes of `attribute`; nullopt without.
std::optional<std::vector<float>> class_probabilities(const AttributeEstimate& e, Attribute attribute) {
  switch (attribute) {
    case Attribute::kGender:
      if (e.male_probability) return std::vector<float>{*e.male_probability, 1 - *e.male_probability};
      break;
    case Attribute::kRace:
      if (e.race) return std::vector<float>(e.race->begin(), e.race->end());
      break;
    case Attribute::kEmotion:
      if (e.emotion) return std::vector<float>(e.emotion->begin(), e.emotion->end());
      break;
    case Attribute::kAge: break;
  }
  return std::nullopt;
}

bool estimates(const AttributeEstimate& e, Attribute attribute) {
  return attribute == Attribute::kAge ? e.age.has_value() : class_probabilities(e, attribute).has_value();
}

std::optional<int> label_of(const LabelledFace& f, Attribute attribute) {
  switch (attribute) {
    case Attribute::kAge: return f.age;
    case Attribute::kGender: return f.gender;
    case Attribute::kRace: return f.race;
    case Attribute::kEmotion: return f.emotion;
  }
  return std::nullopt;
}

template <size_t N>
std::vector<std::string> names_of(const std::array<const char*, N>& names) {
  return {names.begin(), names.end()};
}

std::vector<std::string> classes_of(Attribute attribute) {
  if (attribute == Attribute::kGender) return names_of(kGenderNames);
  if (attribute == Attribute::kRace) return names_of(kRaceNames);
  return names_of(kEmotionNames);
}

// What `source` says of `outcome`, nullptr when nothing (a miss).
const AttributeEstimate* estimate_in(const FaceOutcome& outcome, const std::string& source) {
  if (!outcome.missed.empty()) return nullptr;
  const auto it = outcome.sources.find(source);
  return it == outcome.sources.end() ? nullptr : &it->second;
}

// The scores of `source` on the faces `subset` (all labelled with `attribute`).
AttributeScores score(Attribute attribute, const std::string& source, const std::vector<LabelledFace>& faces,
                      const std::vector<FaceOutcome>& outcomes, const std::vector<size_t>& subset) {
  if (attribute == Attribute::kAge) {
    std::vector<AgeSample> samples;
    for (size_t i : subset) {
      AgeSample s{*faces[i].age, std::nullopt, 0};
      if (const AttributeEstimate* e = estimate_in(outcomes[i], source); e && e->age) {
        s.years = *e->age;
        s.uncertainty = e->age_uncertainty;
      }
      samples.push_back(s);
    }
    return age_scores(samples);
  }
  std::vector<ClassSample> samples;
  for (size_t i : subset) {
    ClassSample s{*label_of(faces[i], attribute), std::nullopt};
    if (const AttributeEstimate* e = estimate_in(outcomes[i], source)) s.probabilities = class_probabilities(*e, attribute);
    samples.push_back(std::move(s));
  }
  return class_scores(classes_of(attribute), samples);
}

// The group of `f` under `by` as (order, name); nullopt when it lacks the labels.
std::optional<std::pair<int, std::string>> group_of(const LabelledFace& f, Grouping by) {
  switch (by) {
    case Grouping::kRace:
      if (f.race) return std::pair{*f.race, std::string(kRaceNames[*f.race])};
      break;
    case Grouping::kGender:
      if (f.gender) return std::pair{*f.gender, std::string(kGenderNames[*f.gender])};
      break;
    case Grouping::kRaceGender:
      if (f.race && f.gender)
        return std::pair{*f.race * 2 + *f.gender, std::string(kRaceNames[*f.race]) + " " + kGenderNames[*f.gender]};
      break;
    case Grouping::kAgeBand:
      if (f.age) return std::pair{*f.age, age_band(*f.age)};  // ordered by age: one band, one contiguous run
      break;
  }
  return std::nullopt;
}

bool is_own_grouping(Attribute attribute, Grouping by) {
  return (attribute == Attribute::kGender && by == Grouping::kGender) ||
         (attribute == Attribute::kRace && by == Grouping::kRace);
}

// The figure a gap compares, oriented so that larger is better; nullopt when undefined.
std::optional<double> merit(const AttributeScores& s) {
  if (const auto* c = std::get_if<ClassScores>(&s)) return c->accuracy;
  const auto& a = std::get<AgeScores>(s);
  if (a.found == 0) return std::nullopt;
  return -a.mae;
}

int64_t faces_in(const AttributeScores& s) {
  return std::visit([](const auto& x) { return x.total; }, s);
}

Breakdown breakdown(Attribute attribute, const std::string& source, Grouping by, const std::vector<LabelledFace>& faces,
                    const std::vector<FaceOutcome>& outcomes, const std::vector<size_t>& subset) {
  // Groups in label order; an age band collects the ages it spans.
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  std::vector<std::pair<std::pair<int, std::string>, size_t>> keyed;
  for (size_t i : subset)
    if (auto g = group_of(faces[i], by)) keyed.push_back({*g, i});
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first.first < y.first.first; });
  for (const auto& [key, i] : keyed) {
    if (groups.empty() || groups.back().first != key.second) groups.push_back({key.second, {}});
    groups.back().second.push_back(i);
  }
  Breakdown b;
  b.by = by;
  std::optional<double> best, worst;
  for (const auto& [name, members] : groups) {
    AttributeScores s = score(attribute, source, faces, outcomes, members);
    const auto m = merit(s);
    if (m && faces_in(s) >= kMinGroupFaces) {
      if (!best || *m > *best) {
        best = *m;
        b.best = name;
      }
      if (!worst || *m < *worst) {
        worst = *m;
        b.worst = name;
      }
    }
    b.groups.push_back({name, std::move(s)});
  }
  if (best && b.best != b.worst) {
    b.gap = *best - *worst;
  } else {
    b.best.clear();
    b.worst.clear();
  }
  return b;
}

}  // namespace

const char* grouping_name(Grouping grouping) {
  switch (grouping) {
    case Grouping::kRace: return "race";
    case Grouping::kGender: return "gender";
    case Grouping::kRaceGender: return "race_gender";
    case Grouping::kAgeBand: return "age_band";
  }
  return "?";
}

std::string age_band(int years) {
  if (years <= 2) return "0-2";
  if (years <= 12) return "3-12";
  if (years <= 19) return "13-19";
  if (years >= 70) return "70+";
  const int decade = years / 10 * 10;
  return std::to_string(decade) + "-" + std::to_string(decade + 9);
}

FaceOutcome outcome_of(const std::vector<Face>& faces, const std::vector<FaceAnalysis>& analyses) {
  check(faces.size() == analyses.size(), "attribute outcome",
        std::to_string(faces.size()) + " faces but " + std::to_string(analyses.size()) + " analyses");
  FaceOutcome outcome;
  std::optional<size_t> largest;
  for (size_t i = 0; i < faces.size(); ++i) {
    if (!analyses[i].refused.empty()) continue;
    if (!largest || faces[i].box.area() > faces[*largest].box.area()) largest = i;
  }
  if (!largest) {
    outcome.missed = faces.empty() ? "no face found" : "every face refused: " + analyses.front().refused;
    return outcome;
  }
  const FaceAnalysis& a = analyses[*largest];
  std::optional<float> male;
  if (a.gender) male = *a.gender == "male" ? a.gender_probability : 1 - a.gender_probability;
  outcome.sources[kCombinedSource] = estimate_of(a.age, male, a.race, a.emotion);
  for (const HeadAnalysis& h : a.heads)
    outcome.sources[h.head] = estimate_of(h.age, h.male_probability, h.race, h.emotion);
  return outcome;
}

std::vector<FaceOutcome> analyze_labelled_faces(
    const std::vector<LabelledFace>& faces, const AnalyzeLabelled& analyze,
    const std::function<void(size_t, size_t, const std::filesystem::path&)>& progress) {
  std::vector<FaceOutcome> outcomes;
  outcomes.reserve(faces.size());
  for (const LabelledFace& face : faces) {
    try {
      outcomes.push_back(analyze(face.image));
      if (!outcomes.back().missed.empty()) outcomes.back().missed = face.image.string() + ": " + outcomes.back().missed;
    } catch (const Error& e) {
      FaceOutcome miss;
      miss.missed = e.what();
      outcomes.push_back(std::move(miss));
    }
    if (progress) progress(outcomes.size(), faces.size(), face.image);
  }
  return outcomes;
}

AttributeReport evaluate_attributes(const std::vector<LabelledFace>& faces, const std::vector<FaceOutcome>& outcomes) {
  check(faces.size() == outcomes.size(), "attribute evaluation",
        std::to_string(faces.size()) + " labelled faces but " + std::to_string(outcomes.size()) + " outcomes");
  AttributeReport report;
  report.total = static_cast<int64_t>(faces.size());
  for (size_t i = 0; i < faces.size(); ++i) {
    if (outcomes[i].missed.empty()) ++report.found;
    else report.missed.push_back({faces[i].image, outcomes[i].missed});
  }
  const std::vector<Attribute> attributes = labelled_attributes(faces);
  check(!attributes.empty(), "attribute evaluation", "no face carries a label");
  constexpr Grouping kGroupings[] = {Grouping::kRace, Grouping::kGender, Grouping::kRaceGender, Grouping::kAgeBand};
  for (Attribute attribute : attributes) {
    AttributeEvaluation evaluation;
    evaluation.attribute = attribute;
    std::vector<size_t> labelled;
    std::set<std::string> heads;
    for (size_t i = 0; i < faces.size(); ++i) {
      if (!label_of(faces[i], attribute)) continue;
      labelled.push_back(i);
      for (const auto& [source, e] : outcomes[i].sources)
        if (source != kCombinedSource && estimates(e, attribute)) heads.insert(source);
    }
    evaluation.labelled = static_cast<int64_t>(labelled.size());
    std::vector<std::string> sources = {kCombinedSource};
    sources.insert(sources.end(), heads.begin(), heads.end());
    for (const std::string& source : sources) {
      SourceScores s{source, score(attribute, source, faces, outcomes, labelled), {}};
      for (Grouping by : kGroupings) {
        if (is_own_grouping(attribute, by)) continue;
        Breakdown b = breakdown(attribute, source, by, faces, outcomes, labelled);
        if (!b.groups.empty()) s.breakdowns.push_back(std::move(b));
      }
      evaluation.sources.push_back(std::move(s));
    }
    report.attributes.push_back(std::move(evaluation));
  }
  return report;
}

}  // namespace facekit::eval
