// human's GEAR head: age over 7 buckets, gender [male, female] and race
// [white, black, asian, indian, other], all softmax in the graph. Preprocessed
// as human 3.3.6 gear.ts: cropAndResize of the face crop's box
// [top 0, left 0.1, bottom 0.9, right 0.9] to 198×198, values 0..1.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "analyze/heads.h"
#include "analyze/resample.h"

namespace facekit::analyze {

namespace {

// human's representative age of each bucket (<20, 21–25, 26–30, 31–40, 41–50, 51–60, >60).
constexpr std::array<float, 7> kBucketAges = {15, 23, 28, 35.5f, 45.5f, 55.5f, 65};
constexpr std::array<const char*, 5> kRaces = {"white", "black", "asian", "indian", "other"};

class HumanGear : public Head {
 public:
  explicit HumanGear(const AnalyzeOptions& options)
      : Head("human-gear", {"Identity", "Identity_1", "Identity_2"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.age = bucket_age(out[0]);
    a.male_probability = out[1][0];
    for (size_t i = 0; i < kRaces.size(); ++i) a.race.emplace_back(kRaces[i], out[2][i]);
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    return crop_and_resize(crop, 0.f, 0.1f, 0.9f, 0.9f, input_height(), input_width()) / 255.0;
  }

 private:
  // human's reading: start at the likeliest bucket's age and move towards
  // each other bucket's age by its probability, most likely first. The
  // uncertainty is the standard deviation of the bucket distribution.
  static AgeEstimate bucket_age(const std::vector<float>& p) {
    std::array<size_t, 7> order;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    float age = kBucketAges[order[0]];
    for (size_t i = 1; i < order.size(); ++i) age += p[order[i]] * (kBucketAges[order[i]] - age);
    double mean = 0, variance = 0;
    for (size_t i = 0; i < p.size(); ++i) mean += p[i] * kBucketAges[i];
    for (size_t i = 0; i < p.size(); ++i) variance += p[i] * (kBucketAges[i] - mean) * (kBucketAges[i] - mean);
    return {age, static_cast<float>(std::sqrt(variance))};
  }
};

}  // namespace

std::unique_ptr<Head> make_human_gear(const AnalyzeOptions& options) { return std::make_unique<HumanGear>(options); }

}  // namespace facekit::analyze
