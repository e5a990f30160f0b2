// What an image file announces before any pixel is decoded: its format and
// dimensions, so that a decoder is only started on files within the limits.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace facekit {

struct ImageHeader {
  std::string format;  // "JPEG", "PNG", "BMP", "TIFF", "WebP" or "PNM"
  int64_t width = 0;
  int64_t height = 0;
  // Why the data visibly ends early (a JPEG without its end-of-image marker,
  // a PNG without its IEND chunk); empty when it does not.
  std::string truncation;
};

// Reads the format and dimensions from `bytes` (a whole file) and checks that
// the data runs to its end. Throws Error naming `name` for a format facekit
// does not read, a malformed header or zero dimensions.
ImageHeader probe_image(const std::string& name, std::span<const uint8_t> bytes);

}  // namespace facekit
