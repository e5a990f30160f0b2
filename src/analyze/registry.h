// The one list of attribute heads: which actions each serves, and how to make it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analyze/head.h"

namespace facekit::analyze {

struct HeadEntry {
  std::string id;
  std::vector<Action> actions;  // the attributes it estimates
  std::function<std::unique_ptr<Head>(const AnalyzeOptions&)> make;
};

const std::vector<HeadEntry>& head_registry();

// The registry entry of `id`; throws Error listing the known ids otherwise.
const HeadEntry& head_entry(const std::string& id);

}  // namespace facekit::analyze
