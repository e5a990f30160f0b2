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

AlignTemplate scaled_template(const AlignTemplate& base, int size) {
  const std::string what = "template '" + base.name + "' scaled to " + std::to_string(size);
  check(size > 0, what, "the size must be positive");
  check(base.size.width > 0 && base.size.height > 0, what, "the base template has an empty size");
  const float sx = static_cast<float>(size) / static_cast<float>(base.size.width);
  const float sy = static_cast<float>(size) / static_cast<float>(base.size.height);
  AlignTemplate scaled{base.name + "@" + std::to_string(size), {size, size}, {}};
  for (const auto& p : base.points) scaled.points.emplace_back(p.x * sx, p.y * sy);
  return scaled;
}

}  // namespace facekit
