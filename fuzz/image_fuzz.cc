// libFuzzer target for image decoding: any bytes either decode to an 8-bit
// RGB image within the limits or raise one facekit::Error; anything else (a
// crash, a sanitizer report, another exception type) is a bug. The pixel
// limit is lowered so that each run stays small and fast.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "facekit/error.h"
#include "facekit/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const facekit::ImageLimits limits{.max_pixels = 1 << 20};
  try {
    const cv::Mat rgb = facekit::decode_image("fuzz", std::vector<uint8_t>(data, data + size), limits);
    if (rgb.type() != CV_8UC3 || rgb.empty() || static_cast<int64_t>(rgb.total()) > limits.max_pixels) std::abort();
  } catch (const facekit::Error&) {
  }
  return 0;
}
