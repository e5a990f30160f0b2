// face-api's SSD-MobileNetV1 face detector, as SsdMobilenetv1.locateFaces
// runs it: the image padded at the bottom or right to a square and resized
// to 512 × 512, the graph's decoded boxes and sigmoid scores, greedy NMS
// over the unclipped boxes (IoU 0.5), boxes clipped to the padded square and
// mapped back to the image. Defaults as face-api's: score > 0.5, at most 100
// faces. The input scale is fixed, so options.min_face is not used.
#include <algorithm>

#include "detect/detectors.h"
#include "detect/faceapi_input.h"
#include "detect/nms.h"
#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"

namespace facekit {

namespace {

constexpr int kInputSize = 512;

// Index of the graph output called `name`; throws Error if there is none.
size_t output_index(const nn::Graph& graph, const std::string& name, const std::string& model) {
  for (size_t i = 0; i < graph.outputs.size(); ++i)
    if (graph.values[graph.outputs[i]].name == name) return i;
  throw Error("model " + model + ": no output '" + name + "'");
}

class SsdDetector : public Detector {
 public:
  explicit SsdDetector(const DetectOptions& options)
      : graph_(nn::load_zoo_model(kModel)),
        executor_(nn::make_executor(options.executor, graph_, {options.threads})),
        boxes_(output_index(graph_, "boxes", kModel)),
        scores_(output_index(graph_, "scores", kModel)),
        score_threshold_(options.score_threshold >= 0 ? options.score_threshold : 0.5f),
        nms_iou_(options.nms_iou >= 0 ? options.nms_iou : 0.5f),
        max_faces_(options.max_faces > 0 ? options.max_faces : 100) {}

  std::string name() const override { return "ssd"; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, "detector ssd", "expected a non-empty 8-bit RGB image");
    const auto outputs = executor_->run({faceapi_input(rgb, kInputSize, false)});
    const float* boxes = outputs[boxes_].data<float>();    // [ymin, xmin, ymax, xmax], relative
    const float* scores = outputs[scores_].data<float>();
    const int64_t count = outputs[scores_].numel();

    // Candidates with their boxes as decoded (relative to the padded square):
    // face-api suppresses on these, before clipping.
    std::vector<Face> candidates;
    for (int64_t i = 0; i < count; ++i) {
      if (!(scores[i] > score_threshold_)) continue;
      const float* b = boxes + 4 * i;
      Face f;
      f.box = cv::Rect2f(b[1], b[0], b[3] - b[1], b[2] - b[0]);
      f.score = scores[i];
      candidates.push_back(f);
    }
    std::vector<int> kept = nms(candidates, nms_iou_);
    if (static_cast<int>(kept.size()) > max_faces_) kept.resize(max_faces_);

    // The padded square spans kInputSize / scaled size times the image.
    const cv::Size scaled = faceapi_scaled_size(rgb.size(), kInputSize);
    const double to_w = static_cast<double>(kInputSize) / scaled.width * rgb.cols;
    const double to_h = static_cast<double>(kInputSize) / scaled.height * rgb.rows;
    std::vector<Face> faces;
    for (int k : kept) {
      const cv::Rect2f& b = candidates[k].box;
      const double left = std::max(0.0f, b.x) * to_w, right = std::min(1.0f, b.x + b.width) * to_w;
      const double top = std::max(0.0f, b.y) * to_h, bottom = std::min(1.0f, b.y + b.height) * to_h;
      Face f;
      f.box = cv::Rect2f(left, top, right - left, bottom - top);
      f.score = candidates[k].score;
      assess_quality(rgb, f);
      faces.push_back(std::move(f));
    }
    return faces;
  }

 private:
  static constexpr const char* kModel = "faceapi-ssd-mobilenetv1";
  nn::Graph graph_;
  std::unique_ptr<nn::Executor> executor_;
  size_t boxes_, scores_;
  float score_threshold_, nms_iou_;
  int max_faces_;
};

}  // namespace

std::unique_ptr<Detector> make_ssd_detector(const DetectOptions& options) {
  return std::make_unique<SsdDetector>(options);
}

}  // namespace facekit
