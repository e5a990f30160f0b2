// MediaPipe BlazeFace: the short-range (128×128, faces within ~2 m) and
// full-range (192×192, small faces) face detectors, with MediaPipe's own
// post-processing. The constants below are those of MediaPipe's graphs
// face_detection_short_range_common.pbtxt and face_detection_full_range_common.pbtxt
// (SsdAnchorsCalculator, TensorsToDetectionsCalculator, NonMaxSuppressionCalculator)
// and face_detection.pbtxt (ImageToTensorCalculator: keep_aspect_ratio, [-1, 1]).
//
// The whole image is letterboxed into the one input (no tiling), as MediaPipe
// does. The short-range model is made for faces filling much of the frame
// (selfies, portraits): on face-api's group photos, faces about 15% of the
// longer side, it misses some and boxes others loosely, where the full-range
// model finds them all. DetectOptions::min_face does not apply: each model
// searches one fixed range of face sizes relative to the frame.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "detect/detectors.h"
#include "detect/letterbox.h"
#include "detect/nms.h"
#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "image/to_tensor.h"

namespace facekit {

namespace {

struct BlazeFaceModel {
  const char* zoo_id;
  int input_size;                 // square input, pixels
  std::vector<int> layer_strides;  // SsdAnchorsCalculator `strides`, one per layer
  int anchors_per_layer;          // one aspect ratio (1.0), plus one interpolated-scale anchor if enabled
  float min_score;                // TensorsToDetections min_score_thresh
};

const BlazeFaceModel kShortRange{"blazeface-short", 128, {8, 16, 16, 16}, 2, 0.5f};
const BlazeFaceModel kFullRange{"blazeface-full", 192, {4}, 1, 0.6f};

constexpr int kCoords = 16;           // box (cx, cy, w, h) then 6 keypoints (x, y)
constexpr float kScoreClip = 100.f;   // score_clipping_thresh
constexpr float kNmsOverlap = 0.3f;   // min_suppression_threshold, weighted NMS

// BlazeFace's 6 keypoints, named for the subject: its right eye shows on the
// image's left in an unmirrored photo.
enum Keypoint { kSubjectRightEye = 0, kSubjectLeftEye, kNoseTip, kMouthCentre, kSubjectRightEar, kSubjectLeftEar };

// Half the mouth width in units of the eye-to-eye vector, from the ArcFace
// template (mouth corners 29.2 px apart, eyes 35.2 px apart): BlazeFace gives
// only the mouth centre, but alignment needs the 5 points of that template.
constexpr float kMouthHalfWidthPerEyeDistance = 0.414f;

// Anchor centres in input pixels, in the model's output order. With
// fixed_anchor_size every anchor is the whole input (w = h = 1 normalised),
// so only centres matter. Consecutive layers of one stride share a grid
// and interleave their anchors per cell (SsdAnchorsCalculator).
std::vector<cv::Point2f> anchor_centres(const BlazeFaceModel& m) {
  std::vector<cv::Point2f> centres;
  const auto& strides = m.layer_strides;
  for (size_t layer = 0; layer < strides.size();) {
    size_t next = layer;
    while (next < strides.size() && strides[next] == strides[layer]) ++next;
    const int per_cell = static_cast<int>(next - layer) * m.anchors_per_layer;
    const int stride = strides[layer];
    const int cells = (m.input_size + stride - 1) / stride;
    for (int y = 0; y < cells; ++y)
      for (int x = 0; x < cells; ++x)
        for (int a = 0; a < per_cell; ++a)
          centres.emplace_back((x + 0.5f) * m.input_size / cells, (y + 0.5f) * m.input_size / cells);
    layer = next;
  }
  return centres;
}

}  // namespace

std::vector<cv::Point2f> blazeface_landmarks5(const std::vector<cv::Point2f>& k) {
  const cv::Point2f eye_vector = k[kSubjectLeftEye] - k[kSubjectRightEye];
  const cv::Point2f half_mouth = kMouthHalfWidthPerEyeDistance * eye_vector;
  std::vector<cv::Point2f> marks(5);
  marks[kLeftEye] = k[kSubjectRightEye];
  marks[kRightEye] = k[kSubjectLeftEye];
  marks[kNose] = k[kNoseTip];
  marks[kLeftMouth] = k[kMouthCentre] - half_mouth;
  marks[kRightMouth] = k[kMouthCentre] + half_mouth;
  return marks;
}

namespace {

class BlazeFaceDetector : public Detector {
 public:
  BlazeFaceDetector(const BlazeFaceModel& model, const DetectOptions& options)
      : model_(model), options_(options), graph_(nn::load_zoo_model(model.zoo_id)),
        executor_(nn::make_executor(options.executor, graph_, {options.threads})),
        anchors_(anchor_centres(model)) {
    check(graph_.inputs.size() == 1 && graph_.outputs.size() == 2, model_.zoo_id,
          "expected 1 input and 2 outputs (regressors, classificators)");
  }

  std::string name() const override { return model_.zoo_id; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, name(), "expected a non-empty 8-bit RGB image (CV_8UC3)");
    const Letterbox lb = letterbox(rgb, {model_.input_size, model_.input_size});
    const auto outputs = executor_->run({to_tensor(lb.image, 127.5f, 127.5f)});
    std::vector<Face> faces = decode(outputs);
    for (Face& f : faces) {
      f.box = lb.to_source(f.box);
      for (auto& p : f.landmarks) p = lb.to_source(p);
    }
    faces = weighted_nms(faces, options_.nms_iou >= 0 ? options_.nms_iou : kNmsOverlap);
    if (options_.max_faces > 0 && static_cast<int>(faces.size()) > options_.max_faces) faces.resize(options_.max_faces);
    for (Face& f : faces) assess_quality(rgb, f);
    return faces;
  }

 private:
  // Faces above the score threshold, in letterboxed input pixels.
  std::vector<Face> decode(const std::vector<nn::Tensor>& outputs) const {
    const int n = static_cast<int>(anchors_.size());
    const bool first_is_box = outputs[0].numel() == int64_t{n} * kCoords;
    const nn::Tensor& boxes = outputs[first_is_box ? 0 : 1];
    const nn::Tensor& logits = outputs[first_is_box ? 1 : 0];
    check(boxes.numel() == int64_t{n} * kCoords && logits.numel() == n, name(),
          "outputs " + nn::shape_str(outputs[0].shape()) + ", " + nn::shape_str(outputs[1].shape()) +
              " are not [1," + std::to_string(n) + ",16] and [1," + std::to_string(n) + ",1]");
    const float threshold = options_.score_threshold >= 0 ? options_.score_threshold : model_.min_score;
    std::vector<Face> faces;
    for (int i = 0; i < n; ++i) {
      const float logit = std::clamp(logits.data<float>()[i], -kScoreClip, kScoreClip);
      const float score = 1.f / (1.f + std::exp(-logit));
      if (score < threshold) continue;
      // MediaPipe divides by x/y/w/h_scale (the input size) and multiplies by
      // the anchor size (1, normalised): in input pixels the raw values are
      // offsets from the anchor centre and sizes as they stand.
      const float* r = boxes.data<float>() + int64_t{i} * kCoords;
      const cv::Point2f centre = anchors_[i] + cv::Point2f(r[0], r[1]);
      const float w = r[2], h = r[3];
      if (!(w > 0 && h > 0)) continue;
      std::vector<cv::Point2f> keypoints(6);
      for (int k = 0; k < 6; ++k) keypoints[k] = anchors_[i] + cv::Point2f(r[4 + 2 * k], r[5 + 2 * k]);
      Face face;
      face.box = cv::Rect2f(centre.x - w / 2, centre.y - h / 2, w, h);
      face.score = score;
      face.landmarks = blazeface_landmarks5(keypoints);
      faces.push_back(std::move(face));
    }
    return faces;
  }

  BlazeFaceModel model_;
  DetectOptions options_;
  nn::Graph graph_;
  std::unique_ptr<nn::Executor> executor_;
  std::vector<cv::Point2f> anchors_;
};

}  // namespace

std::unique_ptr<Detector> make_blazeface_detector(const DetectOptions& options, bool full_range) {
  return std::make_unique<BlazeFaceDetector>(full_range ? kFullRange : kShortRange, options);
}

}  // namespace facekit
