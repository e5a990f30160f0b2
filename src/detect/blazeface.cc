// Placeholder until the detector is written.
#include "detect/detectors.h"
#include "facekit/error.h"

namespace facekit {

std::unique_ptr<Detector> make_blazeface_detector(const DetectOptions&, bool) { throw Error("detector: not implemented yet"); }

}  // namespace facekit
