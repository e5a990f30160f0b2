#include "image_inputs.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>
#include <string_view>

#include "facekit/error.h"

namespace facekit::cli {

namespace fs = std::filesystem;

bool has_image_extension(const fs::path& path) {
  static constexpr std::array<std::string_view, 14> kExtensions = {
      ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm", ".pam"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

std::vector<std::string> list_image_files(const fs::path& folder,
                                          const std::function<void(const std::string& note)>& skipped) {
  std::vector<fs::path> entries;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> images;
  for (const fs::path& entry : entries) {
    if (fs::is_directory(entry))
      skipped(entry.string() + ": a folder (folders are not searched recursively)");
    else if (!has_image_extension(entry))
      skipped(entry.string() + ": not an image file (by its extension)");
    else
      images.push_back(entry.string());
  }
  return images;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, bool& failed) {
  std::vector<std::string> images;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      images.push_back(input);  // reading it will say what is wrong, if anything
      continue;
    }
    try {
      const auto found = list_image_files(input, [](const std::string& note) {
        std::cerr << "facekit: skipping " << note << "\n";
      });
      if (found.empty()) throw Error(input + ": folder holds no image files");
      images.insert(images.end(), found.begin(), found.end());
    } catch (const fs::filesystem_error& e) {
      std::cerr << "facekit: " << input << ": cannot list the folder: " << e.code().message() << "\n";
      failed = true;
    } catch (const Error& e) {
      std::cerr << "facekit: " << e.what() << "\n";
      failed = true;
    }
  }
  return images;
}

}  // namespace facekit::cli
