// face-api's FaceExpressionNet: softmax over its 7 expressions, mapped by name
// onto the canonical emotion classes.
#include <array>
#include <string_view>

#include "analyze/heads.h"

namespace facekit::analyze {

namespace {

// FaceExpressions' class order (face-api's FaceExpressions.ts).
constexpr std::array<std::string_view, 7> kFaceApiExpressions = {"neutral", "happy",     "sad",      "angry",
                                                                 "fearful", "disgusted", "surprised"};
// face-api's names for the canonical classes where they differ.
std::string_view canonical(std::string_view expression) {
  if (expression == "fearful") return "fear";
  if (expression == "disgusted") return "disgust";
  if (expression == "surprised") return "surprise";
  return expression;
}

class FaceApiExpression : public Head {
 public:
  explicit FaceApiExpression(const AnalyzeOptions& options) : Head("faceapi-expression", {"expressions"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kFaceApi; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    EmotionDistribution emotion{};
    for (size_t i = 0; i < kFaceApiExpressions.size(); ++i)
      for (size_t k = 0; k < kEmotionNames.size(); ++k)
        if (canonical(kFaceApiExpressions[i]) == kEmotionNames[k]) emotion[k] = out[0][i];
    HeadAnalysis a;
    a.head = id();
    a.emotion = emotion;
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override { return faceapi_input(crop, input_height()); }
  void finish(std::vector<std::vector<float>>& out) const override { softmax(out[0]); }
};

}  // namespace

std::unique_ptr<Head> make_faceapi_expression(const AnalyzeOptions& options) {
  return std::make_unique<FaceApiExpression>(options);
}

}  // namespace facekit::analyze
