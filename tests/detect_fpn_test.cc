// FPN decoding (RetinaFace, SCRFD, YuNet): for each preset, a small ONNX
// model whose head outputs encode known faces (constants added to a zero
// derived from the input, so nothing folds away) is written with
// export_onnx, loaded by make_fpn_detector, and must give those faces back
// in image coordinates — through the letterbox, the decoding and NMS.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <unistd.h>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/fpn_detector.h"
#include "facekit/nn/model.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;
using Encoding = FpnConfig::BoxEncoding;
using Activation = FpnConfig::ScoreActivation;

constexpr int kInput = 64;  // network input side; the image is 128×96, so scale 1/2, 8 rows of padding
const cv::Size kImage{128, 96};

// A face placed on one anchor: level, cell row/column, anchor of the cell; box and landmarks in input pixels.
struct Planted {
  int level, row, col, anchor;
  float score;
  cv::Rect2f box;
  std::vector<cv::Point2f> marks;
};

const Planted kFaceA{0, 3, 4, 1, 0.9f, {26, 20, 16, 20}, {{30, 27}, {38, 27}, {34, 31}, {31, 35}, {37, 35}}};
const Planted kFaceB{2, 1, 1, 0, 0.8f, {44, 34, 16, 18}, {{48, 40}, {56, 40}, {52, 44}, {49, 48}, {55, 48}}};
// `f` on an anchor that `c` has (YuNet has one per cell).
Planted fitted(const FpnConfig& c, Planted f) {
  f.anchor = std::min(f.anchor, c.anchors_per_cell - 1);
  return f;
}
// A weaker copy of face A, shifted by a pixel, on another anchor: NMS must drop it.
Planted duplicate_of_a(const FpnConfig& c) {
  Planted d = fitted(c, kFaceA);
  if (c.anchors_per_cell > 1) d.anchor = 0; else d.col += 1;
  d.score = 0.7f;
  d.box.x += 1;
  return d;
}

int cells(const FpnConfig& c, int level) { return (kInput + c.strides[level] - 1) / c.strides[level]; }

// The raw head values that `c` decodes into `f` (the encodings of fpn_detector.h, inverted).
struct Raw { std::vector<float> score, box, marks, objectness; };
Raw encode(const FpnConfig& c, const Planted& f) {
  const float s = c.strides[f.level];
  const float off = c.anchor_offset;
  const cv::Point2f anchor((f.col + off) * s, (f.row + off) * s);
  const cv::Point2f centre(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
  Raw r;
  const float size = c.anchor_sizes.empty() ? 0 : c.anchor_sizes[f.level][f.anchor];
  const float unit = c.box_encoding == Encoding::kAnchorDeltas ? c.variances[0] * size : s;
  switch (c.box_encoding) {
    case Encoding::kAnchorDeltas:
      r.box = {(centre.x - anchor.x) / unit, (centre.y - anchor.y) / unit, std::log(f.box.width / size) / c.variances[1],
               std::log(f.box.height / size) / c.variances[1]};
      break;
    case Encoding::kDistances:
      r.box = {(anchor.x - f.box.x) / s, (anchor.y - f.box.y) / s, (f.box.br().x - anchor.x) / s, (f.box.br().y - anchor.y) / s};
      break;
    case Encoding::kCentreLogSize:
      r.box = {(centre.x - anchor.x) / s, (centre.y - anchor.y) / s, std::log(f.box.width / s), std::log(f.box.height / s)};
      break;
  }
  for (const auto& p : f.marks) r.marks.insert(r.marks.end(), {(p.x - anchor.x) / unit, (p.y - anchor.y) / unit});
  float p = f.score;
  if (!c.objectness_outputs.empty()) { r.objectness = {1.f}; p = p * p; }  // sqrt(cls · obj) = score
  const float logit = std::log(p / (1 - p));
  if (c.score_activation == Activation::kSigmoid) r.score = {logit};
  else if (c.score_activation == Activation::kSoftmax) r.score = {0.f, logit};
  else r.score = c.score_columns == 2 ? std::vector<float>{1 - p, p} : std::vector<float>{p};
  return r;
}

// Writes an ONNX model with the output tensors `c` names, holding `faces`
// (background anchors score 0.01), and returns its path.
fs::path write_model(const FpnConfig& c, const std::vector<Planted>& faces, bool nchw, bool rank2) {
  const Raw background = encode(c, {0, 0, 0, 0, 0.01f, {0, 0, 1, 1}, std::vector<cv::Point2f>(5)});
  auto level_values = [&](auto member, int level) {
    const int width = static_cast<int>((background.*member).size());
    const int per_level = cells(c, level) * cells(c, level) * c.anchors_per_cell;
    std::vector<float> v(size_t(per_level) * width, 0.f);
    if (member == &Raw::score || member == &Raw::objectness)
      for (int i = 0; i < per_level; ++i) std::copy_n((background.*member).begin(), width, v.begin() + i * width);
    for (const auto& f : faces) {
      if (f.level != level) continue;
      const int index = (f.row * cells(c, level) + f.col) * c.anchors_per_cell + f.anchor;
      const Raw r = encode(c, f);
      std::copy_n((r.*member).begin(), width, v.begin() + index * width);
    }
    return std::pair{v, width};
  };
  nn::Graph g;
  g.name = c.name + " test head";
  const int x = g.add_value("input", nn::DType::kFloat32, nchw ? nn::Shape{1, 3, kInput, kInput} : nn::Shape{1, kInput, kInput, 3});
  g.inputs = {x};
  const int mean = g.add_value("mean"), zero = g.add_value("zero");
  nn::Attributes keep;
  keep.set("keepdims", int64_t{0});
  g.add_node("ReduceMean", {x}, {mean}, keep);
  g.add_node("Mul", {mean, g.add_constant("nought", nn::Tensor::scalar(0.f))}, {zero});
  auto add_outputs = [&](const std::vector<std::string>& names, auto member) {
    std::vector<float> all;
    int width = 0;
    for (size_t level = 0; level < c.strides.size(); ++level) {
      auto [v, w] = level_values(member, static_cast<int>(level));
      width = w;
      if (names.size() > 1) {
        const int64_t n = static_cast<int64_t>(v.size()) / w;
        const nn::Shape shape = rank2 ? nn::Shape{n, w} : nn::Shape{1, n, w};
        const int out = g.add_value(names[level]);
        g.add_node("Add", {zero, g.add_constant(names[level] + "_values", nn::Tensor::from_floats(shape, v))}, {out});
        g.outputs.push_back(out);
      } else {
        all.insert(all.end(), v.begin(), v.end());
      }
    }
    if (names.size() == 1) {
      const int out = g.add_value(names[0]);
      const nn::Shape shape{1, static_cast<int64_t>(all.size()) / width, width};
      g.add_node("Add", {zero, g.add_constant(names[0] + "_values", nn::Tensor::from_floats(shape, all))}, {out});
      g.outputs.push_back(out);
    }
  };
  add_outputs(c.score_outputs, &Raw::score);
  add_outputs(c.box_outputs, &Raw::box);
  add_outputs(c.landmark_outputs, &Raw::marks);
  if (!c.objectness_outputs.empty()) add_outputs(c.objectness_outputs, &Raw::objectness);
  g.finalize();
  const fs::path path = fs::temp_directory_path() / ("facekit_fpn_" + c.name + "_" + std::to_string(getpid()) + ".onnx");
  nn::export_onnx(g, path.string());
  return path;
}

// Input pixels → image pixels for the 128×96 image letterboxed into 64×64.
cv::Point2f to_image(cv::Point2f p) { return {p.x * 2, (p.y - 8) * 2}; }

void expect_face(const Face& got, const Planted& want) {
  EXPECT_NEAR(got.score, want.score, 1e-4);
  const cv::Point2f tl = to_image(want.box.tl()), br = to_image(want.box.br());
  EXPECT_NEAR(got.box.x, tl.x, 1e-3);
  EXPECT_NEAR(got.box.y, tl.y, 1e-3);
  EXPECT_NEAR(got.box.br().x, br.x, 1e-3);
  EXPECT_NEAR(got.box.br().y, br.y, 1e-3);
  ASSERT_EQ(got.landmarks.size(), 5u);
  for (int k = 0; k < 5; ++k) EXPECT_LE(cv::norm(got.landmarks[k] - to_image(want.marks[k])), 1e-3) << "landmark " << k;
}

struct Case {
  const char* label;
  FpnConfig config;
  bool nchw, rank2;
};

FpnConfig at_test_size(FpnConfig c, const char* name) {
  c.input_size = {kInput, kInput};
  c.name = name;
  return c;
}

FpnConfig with_activation(FpnConfig c, Activation a) {
  c.score_activation = a;
  return c;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

class FpnPresets : public ::testing::TestWithParam<Case> {};

TEST_P(FpnPresets, DecodesTheFacesTheHeadsEncode) {
  const Case& tc = GetParam();
  const FpnConfig& c = tc.config;
  const fs::path model = write_model(c, {fitted(c, kFaceA), fitted(c, kFaceB), duplicate_of_a(c)}, tc.nchw, tc.rank2);
  const cv::Mat image(kImage, CV_8UC3, cv::Scalar(90, 120, 150));
  const auto faces = make_fpn_detector(model.string(), c)->detect(image);
  ASSERT_EQ(faces.size(), 2u);
  expect_face(faces[0], kFaceA);
  expect_face(faces[1], kFaceB);

  DetectOptions options;
  options.max_faces = 1;
  EXPECT_EQ(make_fpn_detector(model.string(), c, options)->detect(image).size(), 1u);
  options.max_faces = 0;
  options.score_threshold = 0.85f;
  EXPECT_EQ(make_fpn_detector(model.string(), c, options)->detect(image).size(), 1u);
  fs::remove(model);
}

INSTANTIATE_TEST_SUITE_P(
    Presets, FpnPresets,
    ::testing::Values(Case{"retinaface", at_test_size(FpnConfig::retinaface(), "retinaface"), true, false},
                      Case{"retinaface_logits", at_test_size(with_activation(FpnConfig::retinaface(), Activation::kSoftmax), "retinaface_logits"), true, false},
                      Case{"scrfd", at_test_size(FpnConfig::scrfd(), "scrfd"), true, true},
                      Case{"scrfd_logits", at_test_size(with_activation(FpnConfig::scrfd(), Activation::kSigmoid), "scrfd_logits"), false, false},
                      Case{"yunet", at_test_size(FpnConfig::yunet(), "yunet"), false, false}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(FpnDetector, RejectsModelsThatDoNotMatchTheConfig) {
  const FpnConfig c = at_test_size(FpnConfig::scrfd(), "scrfd_mismatch");
  const fs::path model = write_model(c, {kFaceA}, true, false);
  FpnConfig missing = c;
  missing.box_outputs = {"boxes"};
  EXPECT_THROW(make_fpn_detector(model.string(), missing), Error);
  FpnConfig bigger = c;
  bigger.input_size = {128, 128};
  EXPECT_THROW(make_fpn_detector(model.string(), bigger)->detect(cv::Mat(kImage, CV_8UC3)), Error);
  EXPECT_THROW(make_fpn_detector(model.string(), c)->detect(cv::Mat(kImage, CV_8UC4)), Error);
  EXPECT_THROW(make_fpn_detector("/nonexistent/model.onnx", c), Error);
  fs::remove(model);
}

}  // namespace
}  // namespace facekit
