#include "nn/op_registry.h"

#include <algorithm>

namespace facekit::nn {

OpRegistry& OpRegistry::instance() {
  static OpRegistry* registry = [] {
    auto* r = new OpRegistry;
    register_all_ops(*r);
    return r;
  }();
  return *registry;
}

void OpRegistry::add(OpDef def) {
  check(!has(def.name), "operator registry", "operator " + def.name + " registered twice");
  defs_.push_back(std::move(def));
}

bool OpRegistry::has(const std::string& name) const {
  return std::any_of(defs_.begin(), defs_.end(), [&](const OpDef& d) { return d.name == name; });
}

const OpDef& OpRegistry::get(const std::string& name) const {
  for (const auto& d : defs_)
    if (d.name == name) return d;
  throw Error("operator registry: unknown operator '" + name + "'");
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& d : defs_) out.push_back(d.name);
  return out;
}

std::string node_context(const std::string& graph_name, const Node& node) {
  return "graph '" + graph_name + "', node '" + node.name + "' (" + node.op + ")";
}

}  // namespace facekit::nn
