#include "analyze/registry.h"

#include "analyze/heads.h"
#include "facekit/error.h"

namespace facekit::analyze {

const std::vector<HeadEntry>& head_registry() {
  using enum Action;
  static const std::vector<HeadEntry> heads = {
      {"faceapi-age-gender", {kAge, kGender}, make_faceapi_age_gender},
      {"faceapi-expression", {kEmotion}, make_faceapi_expression},
      {"human-gear", {kAge, kGender, kRace}, make_human_gear},
      {"human-emotion", {kEmotion}, make_human_emotion},
      {"human-faceres", {kAge, kGender}, make_human_faceres},
      {"human-antispoof", {kSpoof}, make_human_antispoof},
      {"human-liveness", {kSpoof}, make_human_liveness},
      {"antispoof-dtn", {kSpoof}, make_antispoof_dtn},
      {"facekit-attributes", {kGender, kRace}, make_facekit_attributes},
  };
  return heads;
}

const HeadEntry& head_entry(const std::string& id) {
  for (const HeadEntry& entry : head_registry())
    if (entry.id == id) return entry;
  std::string known;
  for (const HeadEntry& entry : head_registry()) known += (known.empty() ? "" : ", ") + entry.id;
  throw Error("attribute head '" + id + "': unknown (available: " + known + ")");
}

}  // namespace facekit::analyze

namespace facekit {

std::vector<std::string> head_ids() {
  std::vector<std::string> ids;
  for (const auto& entry : analyze::head_registry()) ids.push_back(entry.id);
  return ids;
}

}  // namespace facekit
