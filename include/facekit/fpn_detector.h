// Face detectors users bring as ONNX files: the FPN family of RetinaFace,
// SCRFD and YuNet. Each predicts, per feature-map cell of a few strides, a
// score, a box and 5 landmarks for one or more anchors; the families differ
// only in how those numbers are encoded. FpnConfig describes one model's
// encoding, its input and its output tensors; the presets hold the public
// exports' conventions, to adjust where a user's export differs.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"

namespace facekit {

struct FpnConfig {
  // How a cell's box numbers become a box (anchor centre (cx, cy), pixels of
  // the network input; s = the level's stride):
  enum class BoxEncoding {
    kAnchorDeltas,  // RetinaFace: centre = anchor + d·v0·size, side = size·exp(d·v1), anchor size per anchor
    kDistances,     // SCRFD: left, top, right, bottom distances from the anchor centre, × s
    kCentreLogSize, // YuNet: centre = anchor + d·s, side = exp(d)·s
  };
  // What the score outputs hold per anchor.
  enum class ScoreActivation {
    kNone,     // probabilities already (the last column when there are 2: background, face)
    kSigmoid,  // one logit
    kSoftmax,  // two logits: background, face
  };

  std::string name = "fpn";             // for messages
  cv::Size input_size{640, 640};        // images are letterboxed into it
  bool bgr = false;                     // channel order the network expects
  std::array<float, 3> mean{0, 0, 0};   // per input channel (in the network's order): (pixel − mean) / std
  std::array<float, 3> std{1, 1, 1};

  std::vector<int> strides{8, 16, 32};  // one level per stride, in output order
  int anchors_per_cell = 2;             // anchors of one cell are consecutive in the outputs
  float anchor_offset = 0;              // anchor centre = (column + offset, row + offset) × stride
  BoxEncoding box_encoding = BoxEncoding::kDistances;
  std::vector<std::vector<float>> anchor_sizes;  // kAnchorDeltas: per level, per anchor, pixels
  std::array<float, 2> variances{0.1f, 0.2f};    // kAnchorDeltas: centre and size variances
  ScoreActivation score_activation = ScoreActivation::kNone;
  int score_columns = 1;                // 1, or 2 (background, face)

  // Output tensor names. Each list holds one name per level (in `strides`
  // order) or a single name for a tensor concatenating all levels. Landmarks
  // (10 values: 5 points x, y in Landmark5 order) and objectness (YuNet: the
  // score is sqrt(score · objectness), both clamped to [0, 1]) may be empty.
  std::vector<std::string> score_outputs, box_outputs, landmark_outputs, objectness_outputs;

  float score_threshold = 0.5f;         // used when DetectOptions gives none
  float nms_iou = 0.4f;

  // RetinaFace (the Pytorch_Retinaface training code's conventions): BGR,
  // mean (104, 117, 123), 640×640, anchors (16, 32), (64, 128), (256, 512)
  // at strides 8, 16, 32 centred in their cells, variances 0.1, 0.2; all
  // levels concatenated in outputs named here "loc" [1, N, 4], "conf"
  // [1, N, 2] (softmaxed) and "landms" [1, N, 10]: set them to your export's.
  static FpnConfig retinaface();
  // insightface SCRFD: RGB, (x − 127.5) / 128, 640×640, 2 anchors per cell at
  // the cell's corner; per stride s: "score_s" [N, 1] (sigmoid applied),
  // "bbox_s" [N, 4], "kps_s" [N, 10]. Exports often carry numeric output
  // names: set the lists to them.
  static FpnConfig scrfd();
  // OpenCV Zoo YuNet (2023mar): BGR, raw 0..255, 640×640, 1 anchor per cell;
  // per stride s: "cls_s", "obj_s" (probabilities), "bbox_s", "kps_s".
  static FpnConfig yunet();
};

// A detector running the ONNX model at `onnx_path` with `config`'s decoding,
// then NMS (DetectOptions override the config's threshold and IoU; max_faces
// and the executor apply as for every detector). The input may be NCHW or
// NHWC (told by which dimension is 3). Throws Error naming the file when it
// cannot be loaded, when an output named in `config` is missing, or when an
// output's size does not match the anchors of `config` at its input size.
std::unique_ptr<Detector> make_fpn_detector(const std::string& onnx_path, const FpnConfig& config,
                                            const DetectOptions& options = {});

}  // namespace facekit
