// Who each photo of a people folder shows: `people/Alice/*.jpg` (a folder
// per person) or `people/Alice.jpg` (a flat folder, file name = identity).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace facekit::cli {

struct LabelledPhoto {
  std::string identity;
  std::filesystem::path file;
};

// The photos under `root`, sorted by identity then file: each subfolder is a
// person (named exactly as the folder) holding their photos (not searched
// further down); an image directly in `root` is the person its file name
// without the extension names. Every other entry goes to `skipped` with the
// reason. Throws Error naming `root` when it is not a readable folder.
std::vector<LabelledPhoto> people_folder(const std::filesystem::path& root,
                                         const std::function<void(const std::string& note)>& skipped);

}  // namespace facekit::cli
