#include "nn/tfjs/converter.h"

#include <charconv>

#include "facekit/error.h"
#include "nn/op_registry.h"

namespace facekit::nn::tfjs {

int Converter::value(const std::string& ref) const {
  std::string name = ref;
  int k = 0;
  const size_t colon = ref.rfind(':');
  if (colon != std::string::npos) {
    const char* first = ref.data() + colon + 1;
    const char* last = ref.data() + ref.size();
    const auto [end, ec] = std::from_chars(first, last, k);
    if (ec == std::errc() && end == last && first != last) name = ref.substr(0, colon);
    else k = 0;
  }
  const auto it = outputs_.find(name);
  check(it != outputs_.end(), "input '" + ref + "'", "names no converted node");
  check(k >= 0 && k < static_cast<int>(it->second.size()) && it->second[k] >= 0, "input '" + ref + "'",
        "names a missing output of node '" + name + "'");
  return it->second[k];
}

void Converter::bind(const std::string& tf_name, int k, int value_id) {
  auto& outs = outputs_[tf_name];
  if (static_cast<int>(outs.size()) <= k) outs.resize(k + 1, -1);
  outs[k] = value_id;
}

std::string Converter::unique_name(const std::string& name) {
  std::string unique = name;
  for (int n = 1; names_.count(unique); ++n) unique = name + "/" + std::to_string(n);
  names_.insert(unique);
  return unique;
}

int Converter::emit(const std::string& op, std::vector<int> inputs, Attributes attrs, const std::string& name) {
  const OpDef& def = OpRegistry::instance().get(op);
  std::vector<ValueInfo> in;
  for (int v : inputs) {
    if (v < 0) { in.push_back(ValueInfo{}); continue; }
    const Value& val = g_.values[v];
    in.push_back(ValueInfo{val.dtype, val.shape, val.constant ? &*val.constant : nullptr});
  }
  const std::string unique = unique_name(name);
  const int out = g_.add_value(unique);
  g_.add_node(op, std::move(inputs), {out}, std::move(attrs), unique);
  std::vector<ValueInfo> info(1);
  def.infer(g_.nodes.back(), in, info);
  g_.values[out].dtype = info[0].dtype;
  g_.values[out].shape = info[0].shape;
  return out;
}

}  // namespace facekit::nn::tfjs
