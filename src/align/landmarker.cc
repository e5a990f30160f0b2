// face-api's 68-point landmark nets, run on a face as face-api's
// withFaceLandmarks() does: the box clipped to the image and floored
// (Box.clipAtImageBorders), that region cut out, padded to a square around
// its centre and resized to 112 × 112 (NetInput.toBatchTensor(112, true)),
// the net's 136 outputs (relative to the 112 input) mapped back through that
// padding (FaceLandmark68NetBase.postProcess) to the crop, then to the image.
//
// One deliberate difference: face-api shifts the points by the detection
// box's own corner, while the crop starts at the clipped, floored corner — an
// offset of up to a pixel, and more for a box past the left or top edge.
// facekit shifts by the crop's corner, where the points really are.
#include <algorithm>
#include <cmath>

#include "align/faceapi_crop.h"
#include "detect/faceapi_input.h"
#include "facekit/align.h"
#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"

namespace facekit {

namespace {

constexpr int kInputSize = 112;
constexpr int kPoints = 68;

class FaceapiLandmarker : public Landmarker {
 public:
  FaceapiLandmarker(const std::string& model, const DetectOptions& options)
      : model_(model),
        graph_(nn::load_zoo_model(model)),
        executor_(nn::make_executor(options.executor, graph_, {options.threads})) {}

  void locate(const cv::Mat& rgb, Face& face) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, "landmarker " + model_, "expected a non-empty 8-bit RGB image");
    const cv::Rect crop = faceapi_clip_box(face.box, rgb.size());
    if (crop.width <= 0 || crop.height <= 0) return;  // nothing of the face is in the image

    const nn::Tensor out = executor_->run({faceapi_input(rgb(crop), kInputSize, true)}).at(0);
    check(out.numel() == 2 * kPoints, "model " + model_, "expected 136 outputs, got " + nn::shape_str(out.shape()));
    const float* xy = out.data<float>();

    // The crop scaled into the 112 square, and the padding centring it there.
    const double scale = static_cast<double>(kInputSize) / std::max(crop.width, crop.height);
    const double w = crop.width * scale, h = crop.height * scale;
    const double pad_x = w < h ? (h - w) / 2 : 0, pad_y = h < w ? (w - h) / 2 : 0;
    face.landmarks68.resize(kPoints);
    for (int i = 0; i < kPoints; ++i) {
      const double rx = (xy[2 * i] * kInputSize - pad_x) / w;      // relative to the crop
      const double ry = (xy[2 * i + 1] * kInputSize - pad_y) / h;
      face.landmarks68[i] = cv::Point2f(static_cast<float>(crop.x + rx * crop.width),
                                        static_cast<float>(crop.y + ry * crop.height));
    }
    if (face.landmarks.empty()) face.landmarks = landmarks5_from_68(face.landmarks68);
  }

 private:
  std::string model_;
  nn::Graph graph_;
  std::unique_ptr<nn::Executor> executor_;
};

}  // namespace

std::unique_ptr<Landmarker> make_landmarker(const std::string& name, const DetectOptions& options) {
  if (name == "faceapi-68") return std::make_unique<FaceapiLandmarker>("faceapi-landmark68", options);
  if (name == "faceapi-68-tiny") return std::make_unique<FaceapiLandmarker>("faceapi-landmark68-tiny", options);
  throw Error("landmarker '" + name + "': unknown (available: faceapi-68, faceapi-68-tiny)");
}

}  // namespace facekit
