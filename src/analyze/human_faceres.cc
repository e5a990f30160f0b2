// human's faceres head (HSE): P(male) (a sigmoid; human calls ≤ 0.5 female)
// and age over 100 one-year classes. Preprocessed as human 3.3.6 faceres.ts
// enhance(): resizeBilinear to 224×224, the 0..1 crop × 255. The 1024-d
// descriptor is recognition's business, not requested here.
#include <algorithm>
#include <cmath>

#include "analyze/heads.h"
#include "analyze/resample.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

namespace {

class HumanFaceres : public Head {
 public:
  explicit HumanFaceres(const AnalyzeOptions& options)
      : Head("human-faceres", {"age_pred/Softmax", "gender_pred/Sigmoid"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.age = class_age(out[0]);
    a.male_probability = out[1][0];
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    return resize_bilinear_legacy(crop, input_height(), input_width());
  }

 private:
  // human's reading: the likeliest year, moved towards its likelier
  // neighbour by 10 × that neighbour's probability (a missing neighbour at
  // either end counts as 0). The uncertainty is the distribution's standard
  // deviation.
  static AgeEstimate class_age(const std::vector<float>& p) {
    const int n = static_cast<int>(p.size());
    const int best = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    const float below = best > 0 ? p[best - 1] : 0.f, above = best + 1 < n ? p[best + 1] : 0.f;
    const float age = below > above ? best - 10 * below : best + 10 * above;
    double mean = 0, variance = 0;
    for (int i = 0; i < n; ++i) mean += p[i] * i;
    for (int i = 0; i < n; ++i) variance += p[i] * (i - mean) * (i - mean);
    return {age, static_cast<float>(std::sqrt(variance))};
  }
};

}  // namespace

std::unique_ptr<Head> make_human_faceres(const AnalyzeOptions& options) {
  return std::make_unique<HumanFaceres>(options);
}

}  // namespace facekit::analyze
