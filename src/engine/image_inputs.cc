#include <algorithm>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit {

namespace fs = std::filesystem;

std::vector<std::string> list_image_files(const fs::path& folder,
                                          const std::function<void(const std::string& note)>& skipped) {
  std::vector<fs::path> entries;
  try {
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) entries.push_back(entry.path());
  } catch (const fs::filesystem_error& e) {
    throw Error(folder.string() + ": cannot list the folder: " + e.code().message());
  }
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> images;
  for (const fs::path& entry : entries) {
    std::error_code ec;
    if (fs::is_directory(entry, ec))
      skipped(entry.string() + ": a folder (folders are not searched recursively)");
    else if (!has_image_extension(entry))
      skipped(entry.string() + ": not an image file (by its extension)");
    else
      images.push_back(entry.string());
  }
  return images;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs,
                                       const std::function<void(const std::string& note)>& skipped,
                                       const std::function<void(const std::string& error)>& failed) {
  std::vector<std::string> images;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      images.push_back(input);  // reading it will say what is wrong, if anything
      continue;
    }
    try {
      const auto found = list_image_files(input, skipped);
      check(!found.empty(), input, "folder holds no image files");
      images.insert(images.end(), found.begin(), found.end());
    } catch (const Error& e) {
      failed(e.what());
    }
  }
  return images;
}

}  // namespace facekit
