// Placeholder until image reading is written.
#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit {

cv::Mat read_image(const std::string& path, const ImageLimits&) { throw Error(path + ": not implemented yet"); }
cv::Mat decode_image(const std::string& name, const std::vector<uint8_t>&, const ImageLimits&) {
  throw Error(name + ": not implemented yet");
}
void write_image(const std::string& path, const cv::Mat&) { throw Error(path + ": not implemented yet"); }

}  // namespace facekit
