// human's emotion head (oarriaga): 7 classes in the canonical order, softmax
// in the graph. Preprocessed as human 3.3.6 emotion.ts: resizeBilinear to
// 64×64, grey (0.2989 R + 0.5870 G + 0.1140 B) of the 0..1 image, (g − 0.5)·2.
#include "analyze/heads.h"
#include "analyze/resample.h"
#include "image/resize_bilinear.h"

namespace facekit::analyze {

namespace {

class HumanEmotion : public Head {
 public:
  explicit HumanEmotion(const AnalyzeOptions& options) : Head("human-emotion", {"Identity"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kHuman; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    EmotionDistribution emotion{};
    std::copy_n(out[0].begin(), emotion.size(), emotion.begin());
    HeadAnalysis a;
    a.head = id();
    a.emotion = emotion;
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override {
    const cv::Mat grey = to_grey(resize_bilinear_legacy(crop, input_height(), input_width()) / 255.0);
    return (grey - 0.5) * 2.0;
  }
};

}  // namespace

std::unique_ptr<Head> make_human_emotion(const AnalyzeOptions& options) {
  return std::make_unique<HumanEmotion>(options);
}

}  // namespace facekit::analyze
