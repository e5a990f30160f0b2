// human's antispoof head: P(real face), a sigmoid. Preprocessed as human
// 3.3.6 antispoof.ts: resizeBilinear to 128×128, values 0..1.
#include "analyze/heads.h"
#include "analyze/resample.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

namespace {

class HumanAntispoof : public Head {
 public:
  explicit HumanAntispoof(const AnalyzeOptions& options) : Head("human-antispoof", {"Identity"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.real_probability = out[0][0];
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    return resize_bilinear_legacy(crop, input_height(), input_width()) / 255.0;
  }
};

}  // namespace

std::unique_ptr<Head> make_human_antispoof(const AnalyzeOptions& options) {
  return std::make_unique<HumanAntispoof>(options);
}

}  // namespace facekit::analyze
