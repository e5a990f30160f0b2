// The images a command runs on: files as named, folders as the image files
// directly inside them.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace facekit::cli {

// Whether `path` has the extension of an image format facekit reads (JPEG,
// PNG, BMP, TIFF, WebP, PNM), in any letter case.
bool has_image_extension(const std::filesystem::path& path);

// The image files directly inside `folder`, sorted by name (not recursive).
// Each other entry is passed to `skipped` with the reason it was left out.
std::vector<std::string> list_image_files(const std::filesystem::path& folder,
                                          const std::function<void(const std::string& note)>& skipped);

}  // namespace facekit::cli
