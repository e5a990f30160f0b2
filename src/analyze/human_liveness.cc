// human's liveness head (livenessnet): a 2-way softmax of which human 3.3.6
// liveness.ts reports the first value as the face's liveness. Preprocessed
// as there: resizeBilinear to 32×32, values 0..1.
#include "analyze/heads.h"
#include "analyze/resample.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

namespace {

class HumanLiveness : public Head {
 public:
  explicit HumanLiveness(const AnalyzeOptions& options) : Head("human-liveness", {"Identity"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.liveness = out[0][0];
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    return resize_bilinear_legacy(crop, input_height(), input_width()) / 255.0;
  }
};

}  // namespace

std::unique_ptr<Head> make_human_liveness(const AnalyzeOptions& options) {
  return std::make_unique<HumanLiveness>(options);
}

}  // namespace facekit::analyze
