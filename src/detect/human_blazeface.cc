// human's face detector as @vladmandic/human 3.3.6 runs it (face/blazeface.ts,
// face/facemesh.ts), so that its recognizers can be fed exactly the faces
// human feeds them: BlazeFace (human-models' 256 × 256 "back" model) on the
// whole image stretched to its input (resizeBilinear, no letterbox: the
// default face.detector.square is off), boxes decoded on human's anchors,
// tfjs' hard non-maximum suppression (IoU 0.1, scores above 0.2), then the
// face mesh run on each face's cut (image/human_cut.h) and faces whose mesh
// confidence, rounded to 2 decimals, is not above 0.2 dropped — human's
// defaults (face.detector.minConfidence, iouThreshold; mesh.keepInvalid off).
// A face's box is BlazeFace's box in image pixels (human crops the square
// around it, 1.4 × its longer side), its score the mesh confidence (human's
// face.score), its landmarks BlazeFace's keypoints reduced to 5 points.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "detect/detectors.h"
#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "image/human_cut.h"
#include "image/resize_bilinear.h"
#include "image/to_tensor.h"

namespace facekit {

namespace {

constexpr int kInput = 256;
constexpr float kMinConfidence = 0.2f;  // face.detector.minConfidence (detector and mesh)
constexpr float kNmsIou = 0.1f;         // face.detector.iouThreshold
constexpr int kRow = 17;                // score logit, box (cx, cy, w, h), 6 keypoints (x, y)

// facemeshutil.generateAnchors(256): strides 16 and 32 with 2 and 6 anchors
// per cell, centres in input pixels, in the order of the model's rows.
std::vector<cv::Point2f> human_anchors() {
  std::vector<cv::Point2f> anchors;
  for (const auto& [stride, per_cell] : {std::pair{16, 2}, std::pair{32, 6}}) {
    const int cells = (kInput + stride - 1) / stride;
    for (int y = 0; y < cells; ++y)
      for (int x = 0; x < cells; ++x)
        for (int n = 0; n < per_cell; ++n) anchors.emplace_back(stride * (x + 0.5f), stride * (y + 0.5f));
  }
  return anchors;
}

float iou_of(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

class HumanBlazeFaceDetector : public Detector {
 public:
  explicit HumanBlazeFaceDetector(const DetectOptions& options)
      : options_(options),
        detector_graph_(nn::load_zoo_model("human-blazeface")),
        detector_(nn::make_executor(options.executor, detector_graph_, {options.threads})),
        mesh_graph_(nn::load_zoo_model("human-facemesh")),
        mesh_(nn::make_executor(options.executor, mesh_graph_, {options.threads})),
        anchors_(human_anchors()) {
    check(detector_graph_.inputs.size() == 1 && detector_graph_.outputs.size() == 4, "human-blazeface",
          "expected 1 input and 4 outputs (scores and boxes of the 16- and 32-pixel grids)");
  }

  std::string name() const override { return "human-blazeface"; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, name(), "expected a non-empty 8-bit RGB image (CV_8UC3)");
    const cv::Mat input = resize_bilinear_legacy(rgb, kInput, kInput);
    const std::vector<float> rows = model_rows(detector_->run({to_tensor(input, 127.5f, 127.5f)}));
    const float min_score = options_.score_threshold >= 0 ? options_.score_threshold : kMinConfidence;
    const float nms_iou = options_.nms_iou >= 0 ? options_.nms_iou : kNmsIou;
    const int n = static_cast<int>(anchors_.size());

    // Candidates above the score threshold, best first (ties: lower index).
    std::vector<float> scores(n);
    std::vector<cv::Rect2f> boxes(n);
    std::vector<int> order;
    for (int i = 0; i < n; ++i) {
      const float* r = rows.data() + int64_t{i} * kRow;
      scores[i] = 1.f / (1.f + std::exp(-r[0]));
      const cv::Point2f centre = anchors_[i] + cv::Point2f(r[1], r[2]);
      boxes[i] = {centre.x - r[3] / 2, centre.y - r[4] / 2, r[3], r[4]};
      if (scores[i] > min_score) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
    // tf.image.nonMaxSuppression: greedy, a box suppressed above the IoU threshold.
    std::vector<int> kept;
    for (int i : order) {
      if (options_.max_faces > 0 && static_cast<int>(kept.size()) >= options_.max_faces) break;
      if (std::none_of(kept.begin(), kept.end(), [&](int k) { return iou_of(boxes[i], boxes[k]) > nms_iou; }))
        kept.push_back(i);
    }

    const float fx = static_cast<float>(rgb.cols) / kInput, fy = static_cast<float>(rgb.rows) / kInput;
    std::vector<Face> faces;
    for (int i : kept) {
      const float* r = rows.data() + int64_t{i} * kRow;
      Face face;
      face.box = {boxes[i].x * fx, boxes[i].y * fy, boxes[i].width * fx, boxes[i].height * fy};
      std::vector<cv::Point2f> keypoints;
      for (int k = 0; k < 6; ++k)
        keypoints.emplace_back((r[5 + 2 * k] + anchors_[i].x) * fx, (r[6 + 2 * k] + anchors_[i].y) * fy);
      face.landmarks = blazeface_landmarks5(keypoints);
      // facemesh.ts: the mesh's confidence, rounded to 2 decimals, replaces
      // the detector's; a face not above the minimum is dropped.
      const float confidence = std::round(100 * mesh_confidence(rgb, face.box)) / 100;
      if (!(confidence > min_score)) continue;
      face.score = confidence;
      assess_quality(rgb, face);
      faces.push_back(std::move(face));
    }
    std::stable_sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.score > b.score; });
    return faces;
  }

 private:
  // The four outputs as human concatenates them (blazeface.ts, "pinto
  // converted model"): the 16-pixel grid's 512 rows, then the 32-pixel
  // grid's 384, each [score logit, 16 coordinates].
  std::vector<float> model_rows(const std::vector<nn::Tensor>& outputs) const {
    const nn::Tensor* part[4] = {};  // scores 512, boxes 512, scores 384, boxes 384
    for (const nn::Tensor& t : outputs) {
      const int64_t size = t.numel();
      const int slot = size == 512 ? 0 : size == 512 * 16 ? 1 : size == 384 ? 2 : size == 384 * 16 ? 3 : -1;
      check(slot >= 0 && part[slot] == nullptr, name(), "unexpected output shape " + nn::shape_str(t.shape()));
      part[slot] = &t;
    }
    std::vector<float> rows;
    rows.reserve(static_cast<size_t>(anchors_.size()) * kRow);
    for (const auto& [scores, coords, count] : {std::tuple{part[0], part[1], 512}, std::tuple{part[2], part[3], 384}})
      for (int i = 0; i < count; ++i) {
        rows.push_back(scores->data<float>()[i]);
        const float* c = coords->data<float>() + int64_t{i} * 16;
        rows.insert(rows.end(), c, c + 16);
      }
    return rows;
  }

  // The face mesh's face flag on human's cut of `box` (its 0..1 input).
  float mesh_confidence(const cv::Mat& rgb, const cv::Rect2f& box) {
    const cv::Mat cut = human_cut(rgb, box, name());
    for (const nn::Tensor& t : mesh_->run({to_tensor(cut, 0.f, 255.f)}))
      if (t.numel() == 1) return t.data<float>()[0];
    throw Error("human-facemesh: no face-flag output (one value)");
  }

  DetectOptions options_;
  nn::Graph detector_graph_;
  std::unique_ptr<nn::Executor> detector_;
  nn::Graph mesh_graph_;
  std::unique_ptr<nn::Executor> mesh_;
  std::vector<cv::Point2f> anchors_;
};

}  // namespace

std::unique_ptr<Detector> make_human_blazeface_detector(const DetectOptions& options) {
  return std::make_unique<HumanBlazeFaceDetector>(options);
}

}  // namespace facekit
