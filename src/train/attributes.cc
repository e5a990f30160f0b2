#include "train/attributes.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include "eval/text_lines.h"
#include "facekit/error.h"

namespace facekit::train {

namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

}  // namespace

AttributeLabels read_attribute_labels(const std::filesystem::path& csv, const std::filesystem::path& root,
                                      const FaceFolder& folder, const std::vector<std::string>& names) {
  eval::TextLines lines(csv);
  std::string line;
  check(lines.next(line), csv.string(), "is empty (expected a header `path,<attribute>,...`)");
  const std::vector<std::string> header = split_commas(line);
  std::vector<size_t> columns;
  for (const std::string& name : names) {
    const auto it = std::find(header.begin(), header.end(), name);
    check(it != header.end() && it != header.begin(), lines.where(), "has no column '" + name + "'");
    columns.push_back(static_cast<size_t>(it - header.begin()));
  }
  std::map<std::string, size_t> index;  // relative path → image
  for (size_t i = 0; i < folder.images.size(); ++i)
    index[folder.images[i].lexically_relative(root).generic_string()] = i;

  AttributeLabels out;
  out.classes.assign(names.size(), 0);
  out.labels.assign(names.size(), std::vector<int>(folder.images.size(), -1));
  while (lines.next(line)) {
    const std::vector<std::string> fields = split_commas(line);
    check(fields.size() == header.size(), lines.where(),
          "has " + std::to_string(fields.size()) + " fields, the header " + std::to_string(header.size()));
    const auto image = index.find(std::filesystem::path(fields[0]).lexically_normal().generic_string());
    check(image != index.end(), lines.where(), "'" + fields[0] + "' is not an image of " + root.string());
    for (size_t a = 0; a < names.size(); ++a) {
      const std::string& field = fields[columns[a]];
      if (field.empty()) continue;
      int label = -1;
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), label);
      check(ec == std::errc() && end == field.data() + field.size() && label >= 0, lines.where(),
            "'" + field + "' is not a class number ≥ 0 for " + names[a]);
      out.labels[a][image->second] = label;
      out.classes[a] = std::max(out.classes[a], label + 1);
    }
  }
  for (size_t a = 0; a < names.size(); ++a)
    check(out.classes[a] >= 2, csv.string(), "attribute " + names[a] + " has fewer than two classes");
  return out;
}

}  // namespace facekit::train
