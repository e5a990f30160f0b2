// Placeholder until face quality is written.
#include "facekit/detect.h"

namespace facekit {

void assess_quality(const cv::Mat&, Face&) {}

}  // namespace facekit
