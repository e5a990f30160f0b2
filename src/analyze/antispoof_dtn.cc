// The Deep Tree Network anti-spoofing model (expo FaceAntiSpoofing.tflite):
// 8 leaves' spoof scores and a one-hot mask of the leaf the face reached;
// spoof score = Σ |score| · mask (the model card), higher = more likely a
// spoof. Input: the face crop resized (tf.image.resizeBilinear) to 256×256,
// values 0..1 (card: mean 0, std 255).
#include <cmath>

#include "analyze/heads.h"
#include "analyze/resample.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

namespace {

class AntispoofDtn : public Head {
 public:
  explicit AntispoofDtn(const AnalyzeOptions& options) : Head("antispoof-dtn", {"Identity", "Identity_1"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    float score = 0;
    for (size_t i = 0; i < out[0].size(); ++i) score += std::fabs(out[0][i]) * out[1][i];
    HeadAnalysis a;
    a.head = id();
    a.spoof_score = score;
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    return resize_bilinear_legacy(crop, input_height(), input_width()) / 255.0;
  }
};

}  // namespace

std::unique_ptr<Head> make_antispoof_dtn(const AnalyzeOptions& options) {
  return std::make_unique<AntispoofDtn>(options);
}

}  // namespace facekit::analyze
