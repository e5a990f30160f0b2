// face-api's TinyFaceDetector, as TinyYolov2Base.detect runs it: the image
// padded at the bottom or right to a square and resized to 416 × 416, the
// graph's raw 13 × 13 × (5 anchors × [tx, ty, tw, th, score]) grid decoded
// YOLOv2-style (centre = (cell + sigmoid(t)) / 13, size = exp(t) · anchor /
// 13, score = sigmoid), kept above 0.5, suppressed at IoU 0.4, and mapped
// back to the image (boxes are not clipped). The input scale is fixed, so
// options.min_face is not used.
#include <algorithm>
#include <array>
#include <cmath>

#include "detect/detectors.h"
#include "detect/faceapi_input.h"
#include "detect/nms.h"
#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"

namespace facekit {

namespace {

constexpr int kInputSize = 416;
constexpr int kAnchors = 5;
constexpr int kEncoding = 5;  // tx, ty, tw, th, score logit
// Anchor sizes in grid cells (width, height), face-api's BOX_ANCHORS.
constexpr std::array<std::array<double, 2>, kAnchors> kAnchorSizes = {{
    {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308}}};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

class TinyDetector : public Detector {
 public:
  explicit TinyDetector(const DetectOptions& options)
      : graph_(nn::load_zoo_model("faceapi-tiny-face-detector")),
        executor_(nn::make_executor(options.executor, graph_, {options.threads})),
        score_threshold_(options.score_threshold >= 0 ? options.score_threshold : 0.5f),
        nms_iou_(options.nms_iou >= 0 ? options.nms_iou : 0.4f),
        max_faces_(options.max_faces) {}

  std::string name() const override { return "tiny"; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, "detector tiny", "expected a non-empty 8-bit RGB image");
    const nn::Tensor grid = executor_->run({faceapi_input(rgb, kInputSize, false)}).at(0);
    check(grid.rank() == 4 && grid.dim(1) == grid.dim(2) && grid.dim(3) == kAnchors * kEncoding,
          "model faceapi-tiny-face-detector", "unexpected output shape " + nn::shape_str(grid.shape()));
    const int cells = static_cast<int>(grid.dim(1));
    const float* out = grid.data<float>();

    // Boxes relative to the image: the grid spans the padded square, which
    // is kInputSize / scaled size times the image along each axis.
    const cv::Size scaled = faceapi_scaled_size(rgb.size(), kInputSize);
    const double side = std::max(scaled.width, scaled.height);
    const double fx = side / scaled.width, fy = side / scaled.height;
    std::vector<Face> candidates;
    for (int row = 0; row < cells; ++row)
      for (int col = 0; col < cells; ++col)
        for (int a = 0; a < kAnchors; ++a) {
          const float* t = out + ((row * cells + col) * kAnchors + a) * kEncoding;
          const double score = sigmoid(t[4]);
          if (!(score > score_threshold_)) continue;
          const double cx = (col + sigmoid(t[0])) / cells * fx;
          const double cy = (row + sigmoid(t[1])) / cells * fy;
          const double w = std::exp(t[2]) * kAnchorSizes[a][0] / cells * fx;
          const double h = std::exp(t[3]) * kAnchorSizes[a][1] / cells * fy;
          Face f;
          f.box = cv::Rect2f((cx - w / 2) * rgb.cols, (cy - h / 2) * rgb.rows, w * rgb.cols, h * rgb.rows);
          f.score = static_cast<float>(score);
          candidates.push_back(f);
        }

    std::vector<Face> faces;
    for (int k : nms(candidates, nms_iou_)) {
      if (max_faces_ > 0 && static_cast<int>(faces.size()) == max_faces_) break;
      Face f = candidates[k];
      assess_quality(rgb, f);
      faces.push_back(std::move(f));
    }
    return faces;
  }

 private:
  nn::Graph graph_;
  std::unique_ptr<nn::Executor> executor_;
  float score_threshold_, nms_iou_;
  int max_faces_;
};

}  // namespace

std::unique_ptr<Detector> make_tiny_detector(const DetectOptions& options) {
  return std::make_unique<TinyDetector>(options);
}

}  // namespace facekit
