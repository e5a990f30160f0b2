// The labels CSV of `facekit eval --attributes`: file,age,gender,race,emotion.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "eval/text_lines.h"
#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

enum class Column { kFile, kAge, kGender, kRace, kEmotion };

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Column column_of(const std::string& name, const std::string& where) {
  const std::string n = lower(name);
  if (n == "file") return Column::kFile;
  if (n == "age") return Column::kAge;
  if (n == "gender") return Column::kGender;
  if (n == "race") return Column::kRace;
  if (n == "emotion") return Column::kEmotion;
  throw Error(where + ": unknown column '" + name + "' (expected file and any of age, gender, race, emotion)");
}

template <size_t N>
int class_index(const std::array<const char*, N>& names, const std::string& value, const char* attribute,
                const std::string& where) {
  const std::string v = lower(value);
  for (size_t k = 0; k < N; ++k)
    if (v == names[k]) return static_cast<int>(k);
  std::string known;
  for (const char* name : names) known += std::string(known.empty() ? "" : ", ") + name;
  throw Error(where + ": unknown " + attribute + " '" + value + "' (expected one of " + known + ")");
}

int age_of(const std::string& value, const std::string& where) {
  int age = -1;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), age);
  check(ec == std::errc() && end == value.data() + value.size() && age >= 0 && age <= kMaxLabelledAge, where,
        "the age '" + value + "' is not a whole number of years in 0.." + std::to_string(kMaxLabelledAge));
  return age;
}

}  // namespace

const char* attribute_name(Attribute attribute) {
  switch (attribute) {
    case Attribute::kAge: return "age";
    case Attribute::kGender: return "gender";
    case Attribute::kRace: return "race";
    case Attribute::kEmotion: return "emotion";
  }
  return "?";
}

std::vector<LabelledFace> read_attribute_labels(const std::filesystem::path& file, const std::filesystem::path& root) {
  TextLines lines(file);
  std::string line;
  check(lines.next(line), file.string(), "is empty (expected a header such as file,age,gender,race)");
  std::vector<Column> columns;
  for (const std::string& name : split_csv(line, lines.where())) {
    const Column c = column_of(name, lines.where());
    check(std::find(columns.begin(), columns.end(), c) == columns.end(), lines.where(),
          "the column '" + name + "' appears twice");
    columns.push_back(c);
  }
  check(std::find(columns.begin(), columns.end(), Column::kFile) != columns.end(), lines.where(),
        "the header has no 'file' column");
  check(columns.size() >= 2, lines.where(), "the header names no label column (age, gender, race, emotion)");

  std::vector<LabelledFace> faces;
  while (lines.next(line)) {
    const auto fields = split_csv(line, lines.where());
    check(fields.size() == columns.size(), lines.where(),
          "expected " + std::to_string(columns.size()) + " fields, got " + std::to_string(fields.size()));
    LabelledFace face;
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::string& v = fields[i];
      if (columns[i] == Column::kFile) {
        check(!v.empty(), lines.where(), "the file name is empty");
        face.image = root / v;  // an absolute path stays as it is
      } else if (v.empty()) {
        continue;  // unknown label
      } else if (columns[i] == Column::kAge) {
        face.age = age_of(v, lines.where());
      } else if (columns[i] == Column::kGender) {
        face.gender = class_index(kGenderNames, v, "gender", lines.where());
      } else if (columns[i] == Column::kRace) {
        face.race = class_index(kRaceNames, v, "race", lines.where());
      } else {
        face.emotion = class_index(kEmotionNames, v, "emotion", lines.where());
      }
    }
    faces.push_back(std::move(face));
  }
  check(!faces.empty(), file.string(), "holds no labelled face");
  return faces;
}

std::vector<Attribute> labelled_attributes(const std::vector<LabelledFace>& faces) {
  std::vector<Attribute> found;
  const auto any = [&](auto has) { return std::any_of(faces.begin(), faces.end(), has); };
  if (any([](const LabelledFace& f) { return f.age.has_value(); })) found.push_back(Attribute::kAge);
  if (any([](const LabelledFace& f) { return f.gender.has_value(); })) found.push_back(Attribute::kGender);
  if (any([](const LabelledFace& f) { return f.race.has_value(); })) found.push_back(Attribute::kRace);
  if (any([](const LabelledFace& f) { return f.emotion.has_value(); })) found.push_back(Attribute::kEmotion);
  return found;
}

}  // namespace facekit::eval
