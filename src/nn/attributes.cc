#include "facekit/error.h"
#include "facekit/nn/graph.h"

namespace facekit::nn {

namespace {
template <class T>
const T* get_as(const std::map<std::string, AttrValue>& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return nullptr;
  const T* v = std::get_if<T>(&it->second);
  check(v != nullptr, "attribute '" + key + "'", "has an unexpected type");
  return v;
}
}  // namespace

int64_t Attributes::i(const std::string& key, int64_t def) const {
  const auto* v = get_as<int64_t>(map_, key);
  return v ? *v : def;
}

int64_t Attributes::i(const std::string& key) const {
  const auto* v = get_as<int64_t>(map_, key);
  check(v != nullptr, "attribute '" + key + "'", "is required");
  return *v;
}

double Attributes::f(const std::string& key, double def) const {
  auto it = map_.find(key);
  if (it == map_.end()) return def;
  if (const auto* iv = std::get_if<int64_t>(&it->second)) return static_cast<double>(*iv);
  const auto* v = get_as<double>(map_, key);
  return *v;
}

std::string Attributes::s(const std::string& key, const std::string& def) const {
  const auto* v = get_as<std::string>(map_, key);
  return v ? *v : def;
}

std::vector<int64_t> Attributes::ints(const std::string& key, std::vector<int64_t> def) const {
  const auto* v = get_as<std::vector<int64_t>>(map_, key);
  return v ? *v : def;
}

std::vector<double> Attributes::floats(const std::string& key, std::vector<double> def) const {
  const auto* v = get_as<std::vector<double>>(map_, key);
  return v ? *v : def;
}

}  // namespace facekit::nn
