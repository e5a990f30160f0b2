// Placeholder until alignment is written.
#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {

std::unique_ptr<Landmarker> make_landmarker(const std::string& name, const DetectOptions&) {
  throw Error("landmarker '" + name + "': not implemented yet");
}

}  // namespace facekit
