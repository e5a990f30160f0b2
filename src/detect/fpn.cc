// FPN face detectors from ONNX files (RetinaFace, SCRFD, YuNet): letterbox,
// run, decode every anchor of every level per FpnConfig, NMS.
#include <algorithm>
#include <cmath>
#include <utility>

#include "detect/letterbox.h"
#include "detect/nms.h"
#include "facekit/error.h"
#include "facekit/fpn_detector.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"

namespace facekit {

FpnConfig FpnConfig::retinaface() {
  FpnConfig c;
  c.name = "retinaface";
  c.bgr = true;
  c.mean = {104, 117, 123};
  c.anchor_offset = 0.5f;
  c.box_encoding = BoxEncoding::kAnchorDeltas;
  c.anchor_sizes = {{16, 32}, {64, 128}, {256, 512}};
  c.score_columns = 2;
  c.score_outputs = {"conf"};
  c.box_outputs = {"loc"};
  c.landmark_outputs = {"landms"};
  return c;
}

FpnConfig FpnConfig::scrfd() {
  FpnConfig c;
  c.name = "scrfd";
  c.mean = {127.5f, 127.5f, 127.5f};
  c.std = {128, 128, 128};
  for (int s : c.strides) {
    c.score_outputs.push_back("score_" + std::to_string(s));
    c.box_outputs.push_back("bbox_" + std::to_string(s));
    c.landmark_outputs.push_back("kps_" + std::to_string(s));
  }
  return c;
}

FpnConfig FpnConfig::yunet() {
  FpnConfig c;
  c.name = "yunet";
  c.bgr = true;
  c.anchors_per_cell = 1;
  c.box_encoding = BoxEncoding::kCentreLogSize;
  c.nms_iou = 0.3f;
  c.score_threshold = 0.6f;
  for (int s : c.strides) {
    c.score_outputs.push_back("cls_" + std::to_string(s));
    c.objectness_outputs.push_back("obj_" + std::to_string(s));
    c.box_outputs.push_back("bbox_" + std::to_string(s));
    c.landmark_outputs.push_back("kps_" + std::to_string(s));
  }
  return c;
}

namespace {

struct Anchor {
  cv::Point2f centre;  // network input pixels
  float size;          // kAnchorDeltas only
  float stride;
};

std::vector<Anchor> make_anchors(const FpnConfig& c) {
  std::vector<Anchor> anchors;
  for (size_t level = 0; level < c.strides.size(); ++level) {
    const int s = c.strides[level];
    const int rows = (c.input_size.height + s - 1) / s, cols = (c.input_size.width + s - 1) / s;
    for (int r = 0; r < rows; ++r)
      for (int col = 0; col < cols; ++col)
        for (int a = 0; a < c.anchors_per_cell; ++a) {
          const float size = c.anchor_sizes.empty() ? 0.f : c.anchor_sizes[level][a];
          anchors.push_back({{(col + c.anchor_offset) * s, (r + c.anchor_offset) * s}, size, float(s)});
        }
  }
  return anchors;
}

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

class FpnDetector : public Detector {
 public:
  FpnDetector(const std::string& path, const FpnConfig& config, const DetectOptions& options)
      : path_(path), config_(config), options_(options), graph_(nn::load_model(path)) {
    validate_config();
    check(graph_.inputs.size() == 1, path_, "expected one input, found " + std::to_string(graph_.inputs.size()));
    const nn::Shape& in = graph_.values[graph_.inputs[0]].shape;
    check(in.size() == 4 && (in[1] == 3 || in[3] == 3), path_,
          "input " + nn::shape_str(in) + " is neither [N,3,H,W] nor [N,H,W,3]");
    nchw_ = in[1] == 3;
    std::vector<std::string> names;
    for (const auto* list : {&config_.score_outputs, &config_.box_outputs, &config_.landmark_outputs,
                             &config_.objectness_outputs})
      for (const auto& n : *list) {
        check(graph_.find(n) >= 0, path_, "no output named '" + n + "' (config " + config_.name + ")");
        names.push_back(n);
      }
    graph_.set_outputs(names);
    executor_ = nn::make_executor(options.executor, graph_, {options.threads});
  }

  std::string name() const override { return config_.name; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty() && rgb.type() == CV_8UC3, path_, "expected a non-empty 8-bit RGB image (CV_8UC3)");
    const Letterbox lb = letterbox(rgb, config_.input_size);
    const auto outputs = executor_->run({input_tensor(lb.image)});
    size_t next = 0;
    auto take = [&](const std::vector<std::string>& names, int width) {
      const auto first = outputs.begin() + static_cast<std::ptrdiff_t>(next);
      next += names.size();
      return gather(names, std::vector<nn::Tensor>(first, first + static_cast<std::ptrdiff_t>(names.size())), width);
    };
    const auto scores = take(config_.score_outputs, config_.score_columns);
    const auto boxes = take(config_.box_outputs, 4);
    const auto marks = take(config_.landmark_outputs, 10);
    const auto objectness = take(config_.objectness_outputs, 1);

    const float threshold = options_.score_threshold >= 0 ? options_.score_threshold : config_.score_threshold;
    std::vector<Face> faces;
    for (size_t i = 0; i < anchors_.size(); ++i) {
      float score = face_score(&scores[i * config_.score_columns]);
      if (!objectness.empty()) score = std::sqrt(std::clamp(score, 0.f, 1.f) * std::clamp(objectness[i], 0.f, 1.f));
      if (!(score >= threshold)) continue;
      Face face;
      face.score = score;
      face.box = lb.to_source(decode_box(anchors_[i], &boxes[i * 4]));
      if (!marks.empty())
        for (int k = 0; k < 5; ++k)
          face.landmarks.push_back(lb.to_source(decode_point(anchors_[i], marks[i * 10 + 2 * k], marks[i * 10 + 2 * k + 1])));
      faces.push_back(std::move(face));
    }
    std::vector<Face> kept;
    for (int i : nms(faces, options_.nms_iou >= 0 ? options_.nms_iou : config_.nms_iou)) {
      if (options_.max_faces > 0 && static_cast<int>(kept.size()) == options_.max_faces) break;
      kept.push_back(std::move(faces[i]));
      assess_quality(rgb, kept.back());
    }
    return kept;
  }

 private:
  void validate_config() {
    const FpnConfig& c = config_;
    const std::string where = path_ + " (config " + c.name + ")";
    check(c.input_size.width > 0 && c.input_size.height > 0 && !c.strides.empty() && c.anchors_per_cell > 0, where,
          "needs an input size, strides and anchors per cell");
    for (int s : c.strides) check(s > 0, where, "strides must be positive");
    check(c.score_columns == 1 || c.score_columns == 2, where, "score_columns must be 1 or 2");
    check(c.score_activation != FpnConfig::ScoreActivation::kSoftmax || c.score_columns == 2, where,
          "softmax scores need 2 columns");
    check(!c.score_outputs.empty() && !c.box_outputs.empty(), where, "needs score and box outputs");
    if (c.box_encoding == FpnConfig::BoxEncoding::kAnchorDeltas) {
      check(c.anchor_sizes.size() == c.strides.size(), where, "anchor_sizes needs one list per stride");
      for (const auto& sizes : c.anchor_sizes)
        check(static_cast<int>(sizes.size()) == c.anchors_per_cell, where, "anchor_sizes needs one size per anchor");
    }
    for (const auto* list : {&c.score_outputs, &c.box_outputs, &c.landmark_outputs, &c.objectness_outputs})
      check(list->empty() || list->size() == 1 || list->size() == c.strides.size(), where,
            "each output list needs one name per stride or one for all");
    anchors_ = make_anchors(c);
  }

  // [1, 3, H, W] or [1, H, W, 3] of (pixel − mean) / std in the network's channel order.
  nn::Tensor input_tensor(const cv::Mat& rgb) const {
    const int h = rgb.rows, w = rgb.cols;
    nn::Tensor t(nn::DType::kFloat32, nchw_ ? nn::Shape{1, 3, h, w} : nn::Shape{1, h, w, 3});
    float* out = t.data<float>();
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = rgb.ptr<uint8_t>(y);
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < 3; ++c) {
          const float v = (row[x * 3 + (config_.bgr ? 2 - c : c)] - config_.mean[c]) / config_.std[c];
          out[nchw_ ? (int64_t{c} * h + y) * w + x : (int64_t{y} * w + x) * 3 + c] = v;
        }
    }
    return t;
  }

  // The values of one kind (`width` per anchor) of all levels, in anchor order.
  std::vector<float> gather(const std::vector<std::string>& names, const std::vector<nn::Tensor>& tensors, int width) const {
    std::vector<float> all;
    if (names.empty()) return all;
    for (size_t k = 0; k < tensors.size(); ++k) {
      size_t count = anchors_.size();
      if (names.size() > 1) {  // one level: the anchors of strides[k]
        const int s = config_.strides[k];
        count = size_t((config_.input_size.height + s - 1) / s) * ((config_.input_size.width + s - 1) / s) *
                config_.anchors_per_cell;
      }
      check(tensors[k].numel() == static_cast<int64_t>(count) * width, path_,
            "output '" + names[k] + "' " + nn::shape_str(tensors[k].shape()) + " does not hold " +
                std::to_string(count) + " anchors × " + std::to_string(width) + " values at input " +
                std::to_string(config_.input_size.width) + "×" + std::to_string(config_.input_size.height));
      const float* v = tensors[k].data<float>();
      all.insert(all.end(), v, v + tensors[k].numel());
    }
    return all;
  }

  float face_score(const float* v) const {
    switch (config_.score_activation) {
      case FpnConfig::ScoreActivation::kSigmoid: return sigmoid(v[config_.score_columns - 1]);
      case FpnConfig::ScoreActivation::kSoftmax: return sigmoid(v[1] - v[0]);  // 2-way softmax, face column
      case FpnConfig::ScoreActivation::kNone: break;
    }
    return v[config_.score_columns - 1];
  }

  cv::Rect2f decode_box(const Anchor& a, const float* d) const {
    switch (config_.box_encoding) {
      case FpnConfig::BoxEncoding::kAnchorDeltas: {
        const cv::Point2f c = a.centre + cv::Point2f(d[0], d[1]) * (config_.variances[0] * a.size);
        const float w = a.size * std::exp(d[2] * config_.variances[1]), h = a.size * std::exp(d[3] * config_.variances[1]);
        return {c.x - w / 2, c.y - h / 2, w, h};
      }
      case FpnConfig::BoxEncoding::kDistances:
        return {cv::Point2f(a.centre.x - d[0] * a.stride, a.centre.y - d[1] * a.stride),
                cv::Point2f(a.centre.x + d[2] * a.stride, a.centre.y + d[3] * a.stride)};
      case FpnConfig::BoxEncoding::kCentreLogSize: {
        const cv::Point2f c = a.centre + cv::Point2f(d[0], d[1]) * a.stride;
        const float w = std::exp(d[2]) * a.stride, h = std::exp(d[3]) * a.stride;
        return {c.x - w / 2, c.y - h / 2, w, h};
      }
    }
    return {};
  }

  // A landmark: offsets from the anchor centre, in anchor sizes × variance
  // (RetinaFace) or strides (SCRFD, YuNet).
  cv::Point2f decode_point(const Anchor& a, float dx, float dy) const {
    const float unit =
        config_.box_encoding == FpnConfig::BoxEncoding::kAnchorDeltas ? config_.variances[0] * a.size : a.stride;
    return a.centre + cv::Point2f(dx, dy) * unit;
  }

  std::string path_;
  FpnConfig config_;
  DetectOptions options_;
  nn::Graph graph_;
  bool nchw_ = true;
  std::vector<Anchor> anchors_;
  std::unique_ptr<nn::Executor> executor_;
};

}  // namespace

std::unique_ptr<Detector> make_fpn_detector(const std::string& onnx_path, const FpnConfig& config,
                                            const DetectOptions& options) {
  return std::make_unique<FpnDetector>(onnx_path, config, options);
}

}  // namespace facekit
