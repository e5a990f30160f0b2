#include <algorithm>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/image.h"

namespace facekit {

namespace fs = std::filesystem;

std::vector<LabelledPhoto> people_folder(const fs::path& root,
                                         const std::function<void(const std::string& note)>& skipped) {
  std::error_code ec;
  check(fs::is_directory(root, ec), root.string(), "not a folder");
  std::vector<LabelledPhoto> photos;
  std::vector<fs::path> entries;
  try {
    for (const auto& entry : fs::directory_iterator(root)) entries.push_back(entry.path());
  } catch (const fs::filesystem_error& e) {
    throw Error(root.string() + ": cannot list: " + e.code().message());
  }
  std::sort(entries.begin(), entries.end());
  for (const fs::path& entry : entries) {
    if (fs::is_directory(entry, ec)) {
      for (const std::string& file : list_image_files(entry, skipped))
        photos.push_back({entry.filename().string(), file});
    } else if (has_image_extension(entry)) {
      photos.push_back({entry.stem().string(), entry});
    } else {
      skipped(entry.string() + ": not an image file (by its extension)");
    }
  }
  std::stable_sort(photos.begin(), photos.end(),
                   [](const LabelledPhoto& a, const LabelledPhoto& b) { return a.identity < b.identity; });
  return photos;
}

}  // namespace facekit
