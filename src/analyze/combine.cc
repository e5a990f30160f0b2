#include "analyze/combine.h"

#include <algorithm>
#include <cmath>
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

void combine_age(FaceAnalysis& a) {
  std::vector<float> years, own_variance;
  for (const HeadAnalysis& h : a.heads)
    if (h.age) {
      years.push_back(h.age->years);
      own_variance.push_back(h.age->uncertainty * h.age->uncertainty);
    }
  if (years.empty()) return;
  const float m = mean(years);
  float between = 0;
  for (float y : years) between += (y - m) * (y - m) / years.size();
  // Total variance: the heads' own (mean) plus their disagreement.
  a.age = AgeEstimate{m, std::sqrt(mean(own_variance) + between)};
  if (years.size() > 1) a.agreement["age"] = std::exp(-std::sqrt(between) / kAgeDisagreementScale);
}

void combine_gender(FaceAnalysis& a) {
  std::vector<float> male;
  for (const HeadAnalysis& h : a.heads)
    if (h.male_probability) male.push_back(*h.male_probability);
  if (male.empty()) return;
  const float p = mean(male);
  a.gender = p >= 0.5f ? "male" : "female";
  a.gender_probability = std::max(p, 1 - p);
  if (male.size() > 1) a.agreement["gender"] = 1 - mean_pairwise(male, [](float x, float y) { return std::fabs(x - y); });
}

void combine_emotion(FaceAnalysis& a) {
  std::vector<EmotionDistribution> views;
  for (const HeadAnalysis& h : a.heads)
    if (h.emotion) views.push_back(*h.emotion);
  if (views.empty()) return;
  EmotionDistribution m{};
  for (const auto& v : views)
    for (size_t k = 0; k < m.size(); ++k) m[k] += v[k] / views.size();
  a.emotion = m;
  // Total-variation distance between two distributions, in [0, 1].
  const auto tv = [](const EmotionDistribution& x, const EmotionDistribution& y) {
    float d = 0;
    for (size_t k = 0; k < x.size(); ++k) d += std::fabs(x[k] - y[k]);
    return d / 2;
  };
  if (views.size() > 1) a.agreement["emotion"] = 1 - mean_pairwise(views, tv);
}

void combine_race(FaceAnalysis& a) {
  for (const HeadAnalysis& h : a.heads)
    if (!h.race.empty()) a.race = h.race;  // one race head (human-gear)
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

void combine(const std::vector<Action>& actions, const FaceConditions& conditions, FaceAnalysis& analysis) {
  if (wanted(actions, Action::kAge)) combine_age(analysis);
  if (wanted(actions, Action::kGender)) combine_gender(analysis);
  if (wanted(actions, Action::kEmotion)) combine_emotion(analysis);
  if (wanted(actions, Action::kRace)) combine_race(analysis);
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
