#include "analyze/combine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <numeric>

namespace facekit::analyze {

namespace {

constexpr float kAgeDisagreementScale = 10;  // a 10-year spread between heads gives agreement e^-1
constexpr float kGreyPenalty = 0.75f;        // colour-trained heads see no colour in a grey image

bool wanted(const std::vector<Action>& actions, Action a) {
  return std::find(actions.begin(), actions.end(), a) != actions.end();
}

// Mean absolute pairwise distance under `distance`; 0 for fewer than two.
template <class T, class Distance>
float mean_pairwise(const std::vector<T>& values, Distance distance) {
  double sum = 0;
  int pairs = 0;
  for (size_t i = 0; i < values.size(); ++i)
    for (size_t j = i + 1; j < values.size(); ++j, ++pairs) sum += distance(values[i], values[j]);
  return pairs ? static_cast<float>(sum / pairs) : 0.f;
}

float mean(const std::vector<float>& v) { return std::accumulate(v.begin(), v.end(), 0.f) / v.size(); }

void combine_age(FaceAnalysis& a, const AgePooling& pooling) {
  std::map<std::string, double> years;
  std::vector<float> views;
  for (const HeadAnalysis& h : a.heads)
    if (h.age) {
      years[h.head] = h.age->years;
      views.push_back(h.age->years);
    }
  if (views.empty()) return;
  a.age = pool_age(pooling, years);
  if (views.size() > 1) {
    const float m = mean(views);
    float between = 0;
    for (float y : views) between += (y - m) * (y - m) / views.size();
    a.agreement["age"] = std::exp(-std::sqrt(between) / kAgeDisagreementScale);
  }
}

void combine_gender(FaceAnalysis& a, const ClassPooling& pooling) {
  std::vector<float> male;
  std::map<std::string, std::vector<double>> views;
  for (const HeadAnalysis& h : a.heads)
    if (h.male_probability) {
      male.push_back(*h.male_probability);
      views[h.head] = {*h.male_probability, 1 - *h.male_probability};
    }
  if (male.empty()) return;
  const std::vector<double> p = pool_classes(pooling, views);
  if (p.empty()) return;
  a.gender = p[0] >= 0.5 ? "male" : "female";
  a.gender_probability = static_cast<float>(std::max(p[0], p[1]));
  if (male.size() > 1) a.agreement["gender"] = 1 - mean_pairwise(male, [](float x, float y) { return std::fabs(x - y); });
}

void combine_emotion(FaceAnalysis& a, const ClassPooling& pooling) {
  std::vector<EmotionDistribution> distributions;
  std::map<std::string, std::vector<double>> views;
  for (const HeadAnalysis& h : a.heads)
    if (h.emotion) {
      distributions.push_back(*h.emotion);
      views[h.head] = std::vector<double>(h.emotion->begin(), h.emotion->end());
    }
  if (distributions.empty()) return;
  const std::vector<double> p = pool_classes(pooling, views);
  if (p.empty()) return;
  EmotionDistribution m{};
  std::copy(p.begin(), p.end(), m.begin());
  a.emotion = m;
  // Total-variation distance between two distributions, in [0, 1].
  const auto tv = [](const EmotionDistribution& x, const EmotionDistribution& y) {
    float d = 0;
    for (size_t k = 0; k < x.size(); ++k) d += std::fabs(x[k] - y[k]);
    return d / 2;
  };
  if (distributions.size() > 1) a.agreement["emotion"] = 1 - mean_pairwise(distributions, tv);
}

void combine_race(FaceAnalysis& a, const ClassPooling& pooling) {
  std::map<std::string, std::vector<double>> views;
  for (const HeadAnalysis& h : a.heads) {
    if (h.race.empty()) continue;
    // The head's classes by the combination's names; one it lacks is at the floor.
    std::vector<double> p(pooling.classes.size(), 0.0);
    for (const auto& [name, probability] : h.race) {
      const auto k = std::find(pooling.classes.begin(), pooling.classes.end(), name);
      if (k != pooling.classes.end()) p[k - pooling.classes.begin()] = probability;
    }
    views[h.head] = p;
  }
  const std::vector<double> p = pool_classes(pooling, views);
  for (size_t k = 0; k < p.size(); ++k) a.race.emplace_back(pooling.classes[k], static_cast<float>(p[k]));
}

void combine_spoof(FaceAnalysis& a) {
  // The views of P(live): human-antispoof's P(real) and human-liveness'
  // score. The DTN's score has no calibrated scale; it stays in `heads`.
  std::vector<float> live;
  for (const HeadAnalysis& h : a.heads) {
    if (h.real_probability) live.push_back(*h.real_probability);
    if (h.liveness) live.push_back(*h.liveness);
  }
  if (live.empty()) return;
  a.real_probability = mean(live);
  if (live.size() > 1) a.agreement["spoof"] = 1 - mean_pairwise(live, [](float x, float y) { return std::fabs(x - y); });
}

}  // namespace

void combine(const std::vector<Action>& actions, const FaceConditions& conditions, FaceAnalysis& analysis,
             const AnalysisCombination& combination) {
  if (wanted(actions, Action::kAge)) combine_age(analysis, combination.age);
  if (wanted(actions, Action::kGender)) combine_gender(analysis, combination.gender);
  if (wanted(actions, Action::kEmotion)) combine_emotion(analysis, combination.emotion);
  if (wanted(actions, Action::kRace)) combine_race(analysis, combination.race);
  if (wanted(actions, Action::kSpoof)) combine_spoof(analysis);
  float agreement = 1;
  if (!analysis.agreement.empty()) {
    agreement = 0;
    for (const auto& [attribute, value] : analysis.agreement) agreement += value / analysis.agreement.size();
  }
  const float quality = std::pow(std::clamp(conditions.quality, 0.f, 1.f), 0.25f);
  analysis.grayscale = conditions.grayscale;
  analysis.confidence = agreement * quality * std::clamp(conditions.fraction_inside, 0.f, 1.f) *
                        (conditions.grayscale ? kGreyPenalty : 1.f);
}

}  // namespace facekit::analyze
