// The 5-point alignment templates recognizers were trained with.
#include <cmath>

#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {

const AlignTemplate& arcface_template() {
  // InsightFace's `arcface_src` (python-package/insightface/utils/face_align.py):
  // where its training crops put the eyes, nose tip and mouth corners.
  static const AlignTemplate arcface{"arcface",
                                     {112, 112},
                                     {{38.2946f, 51.6963f},
                                      {73.5318f, 51.5014f},
                                      {56.0252f, 71.7366f},
                                      {41.5493f, 92.3655f},
                                      {70.7299f, 92.2041f}}};
  return arcface;
}

const AlignTemplate& dlib_template() {
  // dlib's mean face shape (dlib/image_transforms/interpolation.h,
  // get_face_chip_details: the average positions of the 68-point layout's
  // points 17–67 in the unit square), reduced to the Landmark5 points as
  // landmarks5_from_68 defines them: eye centres = mean of points 36–41 and
  // 42–47, nose tip 30, mouth corners 48 and 54.
  static const std::vector<cv::Point2d> unit = {{0.2254918, 0.2159903},
                                                {0.7547613, 0.2159903},
                                                {0.490127, 0.515625},
                                                {0.254149, 0.780233},
                                                {0.726104, 0.780233}};
  // get_face_chip_details(shape, 150, 0.25): the unit square widened by the
  // padding on every side, scaled to the chip.
  constexpr double kSize = 150, kPadding = 0.25;
  static const AlignTemplate dlib = [&] {
    AlignTemplate t{"dlib", {150, 150}, {}};
    for (const auto& p : unit)
      t.points.emplace_back(static_cast<float>((kPadding + p.x) / (1 + 2 * kPadding) * kSize),
                            static_cast<float>((kPadding + p.y) / (1 + 2 * kPadding) * kSize));
    return t;
  }();
  return dlib;
}

const AlignTemplate& faceapi_template() {
  // FaceRecognitionNet.forwardInput: input.toBatchTensor(150, true).
  static const AlignTemplate faceapi{"faceapi", {150, 150}, {}, AlignKind::kFaceapi};
  return faceapi;
}

const AlignTemplate& expo_template() {
  // MobileFaceNet.INPUT_IMAGE_SIZE.
  static const AlignTemplate expo{"expo", {112, 112}, {}, AlignKind::kExpo};
  return expo;
}

const AlignTemplate& human_template() {
  // facemesh.ts: faces are cut to the face-mesh input, 192 × 192.
  static const AlignTemplate human{"human", {192, 192}, {}, AlignKind::kHuman};
  return human;
}

AlignTemplate named_template(const std::string& name, int size) {
  const AlignTemplate* base = name == "arcface" ? &arcface_template()
                              : name == "dlib"  ? &dlib_template()
                              : name == "faceapi" ? &faceapi_template()
                              : name == "expo"  ? &expo_template()
                              : name == "human" ? &human_template()
                                                : nullptr;
  check(base != nullptr, "alignment '" + name + "'", "unknown (available: arcface, dlib, faceapi, expo, human)");
  if (base->size == cv::Size(size, size)) return *base;
  return scaled_template(*base, size);
}

AlignTemplate scaled_template(const AlignTemplate& base, int size) {
  const std::string what = "template '" + base.name + "' scaled to " + std::to_string(size);
  check(size > 0, what, "the size must be positive");
  check(base.size.width > 0 && base.size.height > 0, what, "the base template has an empty size");
  const float sx = static_cast<float>(size) / static_cast<float>(base.size.width);
  const float sy = static_cast<float>(size) / static_cast<float>(base.size.height);
  AlignTemplate scaled{base.name + "@" + std::to_string(size), {size, size}, {}, base.kind};
  for (const auto& p : base.points) scaled.points.emplace_back(p.x * sx, p.y * sy);
  return scaled;
}

}  // namespace facekit
