// Placeholder until the detector is written.
#include "detect/detectors.h"
#include "facekit/error.h"

namespace facekit {

std::unique_ptr<Detector> make_haar_detector(const DetectOptions&) { throw Error("detector: not implemented yet"); }

}  // namespace facekit
