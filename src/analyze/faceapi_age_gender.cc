// face-api's AgeGenderNet: age in years (a regression) and gender, read as
// face-api's predictAgeAndGender does (softmax over the [male, female] logits).
#include "analyze/heads.h"

namespace facekit::analyze {

namespace {

class FaceApiAgeGender : public Head {
 public:
  explicit FaceApiAgeGender(const AnalyzeOptions& options) : Head("faceapi-age-gender", {"age", "gender"}, options) {}
  CropStyle crop_style() const override { return CropStyle::kFaceApi; }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.age = AgeEstimate{out[0][0], 0};  // the regression gives no spread
    a.male_probability = out[1][0];
    return a;
  }

 protected:
  cv::Mat preprocess(const cv::Mat& crop) const override { return faceapi_input(crop, input_height()); }
  void finish(std::vector<std::vector<float>>& out) const override { softmax(out[1]); }
};

}  // namespace

std::unique_ptr<Head> make_faceapi_age_gender(const AnalyzeOptions& options) {
  return std::make_unique<FaceApiAgeGender>(options);
}

}  // namespace facekit::analyze
