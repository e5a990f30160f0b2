// Attribute labels for the multi-task heads, from a CSV beside the images.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "train/face_folder.h"

namespace facekit::train {

struct AttributeLabels {
  std::vector<int> classes;              // per attribute: largest label + 1
  std::vector<std::vector<int>> labels;  // [attribute][image of the folder]: class, or −1 when unknown
};

// A CSV whose header is `path,<attribute>,...` and whose rows give an image's
// path (relative to `root`, as root/<identity>/<file>) and an integer class
// ≥ 0 per attribute (an empty field: unknown). Images of `folder` without a
// row are unknown for every attribute. Reads the columns `names`, in that
// order. Throws Error naming the file (and line) for a missing column, a
// malformed row or label, a path not in `folder`, or an attribute with fewer
// than two classes.
AttributeLabels read_attribute_labels(const std::filesystem::path& csv, const std::filesystem::path& root,
                                      const FaceFolder& folder, const std::vector<std::string>& names);

}  // namespace facekit::train
