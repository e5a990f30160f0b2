// facekit's own attribute head (docs/analysis.md, "facekit's own head"):
// gender [male, female] and race [white, black, asian, indian, other] from
// the raw MobileFaceNet embedding of the face, by the small network that
// `facekit train head` trained (models/facekit-attributes.onnx, compiled in).
// Its pipeline is the recognizer's, as `facekit represent` runs it: the
// detector's 5 landmarks, or faceapi-68's where the face has none, the
// face aligned onto the recognizer's template, embedded.
#include <array>

#include "analyze/heads.h"
#include "facekit/align.h"
#include "facekit/embed.h"
#include "facekit/nn/model.h"

namespace facekit {
extern const unsigned char kFacekitAttributesOnnx[];
extern const size_t kFacekitAttributesOnnx_size;
}  // namespace facekit

namespace facekit::analyze {

namespace {

constexpr const char* kRecognizer = "mobilefacenet";  // the card's "recognizer"
constexpr const char* kLandmarker = "faceapi-68";    // `facekit represent`'s default
constexpr std::array<const char*, 5> kRaces = {"white", "black", "asian", "indian", "other"};

class FacekitAttributes : public Head {
 public:
  explicit FacekitAttributes(const AnalyzeOptions& options)
      : Head(kFacekitAttributesHead, facekit_attributes_graph(), {"gender", "race"}, options),
        recognizer_(make_recognizer(kRecognizer, {.executor = options.executor, .threads = options.threads})),
        landmarker_(make_landmarker(kLandmarker, {.threads = options.threads})) {}
  CropStyle crop_style() const override { return CropStyle::kOwn; }

  std::vector<cv::Mat> own_crops(const cv::Mat& rgb, const std::vector<Face>& faces) override {
    std::vector<cv::Mat> crops;
    for (Face face : faces) {
      if (face.landmarks.size() != 5) landmarker_->locate(rgb, face);
      crops.push_back(align_face(rgb, face, recognizer_->alignment()));
    }
    return crops;
  }

  HeadAnalysis interpret(const std::vector<std::vector<float>>& out) const override {
    HeadAnalysis a;
    a.head = id();
    a.male_probability = out[0][0];
    for (size_t i = 0; i < kRaces.size(); ++i) a.race.emplace_back(kRaces[i], out[1][i]);
    return a;
  }

 protected:
  // The crop's raw embedding, the network's input.
  cv::Mat preprocess(const cv::Mat& crop) const override {
    const std::vector<float> embedding = recognizer_->embed(crop);
    return cv::Mat(1, static_cast<int>(embedding.size()), CV_32F, const_cast<float*>(embedding.data())).clone();
  }

 private:
  std::unique_ptr<Recognizer> recognizer_;
  std::unique_ptr<Landmarker> landmarker_;
};

}  // namespace

nn::Graph facekit_attributes_graph() {
  return nn::load_onnx_bytes(kFacekitAttributesHead, kFacekitAttributesOnnx, kFacekitAttributesOnnx_size);
}

std::unique_ptr<Head> make_facekit_attributes(const AnalyzeOptions& options) {
  return std::make_unique<FacekitAttributes>(options);
}

}  // namespace facekit::analyze
