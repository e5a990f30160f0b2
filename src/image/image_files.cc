#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "facekit/image.h"

namespace facekit {

bool has_image_extension(const std::filesystem::path& path) {
  static constexpr std::array<std::string_view, 14> kExtensions = {
      ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm", ".pam"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

}  // namespace facekit
