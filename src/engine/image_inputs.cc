#include "image_inputs.h"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit::cli {

namespace fs = std::filesystem;

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
