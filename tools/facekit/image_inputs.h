// The images a command runs on: files as named, folders as the image files
// directly inside them.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace facekit::cli {

// The image files directly inside `folder`, sorted by name (not recursive).
// Each other entry is passed to `skipped` with the reason it was left out.
std::vector<std::string> list_image_files(const std::filesystem::path& folder,
                                          const std::function<void(const std::string& note)>& skipped);

// The images the command-line inputs name: files as given (reading them
// reports what is wrong, if anything), folders expanded by list_image_files
// with skipped entries noted on stderr. A folder that cannot be listed or
// holds no image is reported on stderr and sets `failed`.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, bool& failed);

}  // namespace facekit::cli
