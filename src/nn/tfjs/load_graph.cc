// load_tfjs_graph: model.json (TF GraphDef as JSON + weights manifest) → IR.
#include <algorithm>
#include <cctype>
#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "nn/tfjs/converter.h"
#include "nn/tfjs/weights.h"

namespace facekit::nn {
namespace {

using nlohmann::json;
using tfjs::TfNode;

constexpr std::streamoff kMaxJsonBytes = std::streamoff{256} << 20;

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path, "cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  check(size >= 0 && size <= kMaxJsonBytes, path, "not a readable file below 256 MiB");
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  check(in.gcount() == size, path, "short read");
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(path + ": malformed JSON: " + e.what());
  }
}

// "name:0" → "name"; a control input "^name" → "" (ordering only, no data).
std::string node_of(const std::string& ref) {
  const size_t colon = ref.rfind(':');
  if (colon != std::string::npos && colon + 1 < ref.size() &&
      ref.find_first_not_of("0123456789", colon + 1) == std::string::npos)
    return ref.substr(0, colon);
  return ref;
}

std::vector<TfNode> parse_nodes(const json& topology, const std::string& path) {
  check(topology.is_object() && topology.contains("node") && topology["node"].is_array(), path,
        "modelTopology has no \"node\" array");
  std::vector<TfNode> nodes;
  for (const auto& n : topology["node"]) {
    check(n.is_object() && n.contains("name") && n["name"].is_string() && n.contains("op") && n["op"].is_string(),
          path, "a node has no name or op");
    TfNode node{n["name"].get<std::string>(), n["op"].get<std::string>(), {}, nullptr};
    check(!node.name.empty(), path, "a node has an empty name");
    if (n.contains("input")) {
      check(n["input"].is_array(), path, "node '" + node.name + "': \"input\" is not an array");
      for (const auto& i : n["input"]) {
        check(i.is_string(), path, "node '" + node.name + "': an input is not a string");
        const std::string ref = i.get<std::string>();
        if (!ref.empty() && ref[0] != '^') node.inputs.push_back(ref);
      }
    }
    if (n.contains("attr")) node.attr = &n["attr"];
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// Kahn's order over data inputs; Error for a missing input node or a cycle.
std::vector<int> topological_order(const std::vector<TfNode>& nodes, const std::string& path) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < nodes.size(); ++i)
    check(index.emplace(nodes[i].name, static_cast<int>(i)).second, path,
          "node name '" + nodes[i].name + "' is used twice");
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<int>> consumers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& ref : nodes[i].inputs) {
      const auto it = index.find(node_of(ref));
      check(it != index.end(), path, "node '" + nodes[i].name + "' reads '" + ref + "', which is no node");
      ++pending[i];
      consumers[it->second].push_back(static_cast<int>(i));
    }
  std::deque<int> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push_back(static_cast<int>(i));
  std::vector<int> order;
  while (!ready.empty()) {
    const int n = ready.front();
    ready.pop_front();
    order.push_back(n);
    for (int c : consumers[n])
      if (--pending[c] == 0) ready.push_back(c);
  }
  check(order.size() == nodes.size(), path, "the graph has a cycle");
  return order;
}

DType dtype_of(const std::string& tf_type, const std::string& context) {
  if (tf_type == "DT_FLOAT") return DType::kFloat32;
  if (tf_type == "DT_INT32") return DType::kInt32;
  if (tf_type == "DT_BOOL") return DType::kBool;
  throw Error(context + ": unsupported dtype " + tf_type);
}

// "Identity_2" before "Identity_10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
      const size_t xs = x.find_first_not_of('0'), ys = y.find_first_not_of('0');
      const std::string xn = xs == std::string::npos ? "" : x.substr(xs), yn = ys == std::string::npos ? "" : y.substr(ys);
      if (xn.size() != yn.size()) return xn.size() < yn.size();
      if (xn != yn) return xn < yn;
      i = ie, j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// Names listed in signature.inputs / signature.outputs ("name:0" → "name"),
// in the natural order of the signature's keys (JSON objects have no order).
std::vector<std::string> signature_names(const json& model, const char* key) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (!model.contains("signature") || !model["signature"].is_object()) return {};
  const auto& sig = model["signature"];
  if (!sig.contains(key) || !sig[key].is_object()) return {};
  for (const auto& [k, v] : sig[key].items()) {
    std::string ref = k;
    if (v.is_object() && v.contains("name") && v["name"].is_string()) ref = v["name"].get<std::string>();
    entries.emplace_back(k, ref.size() > 2 && ref.compare(ref.size() - 2, 2, ":0") == 0 ? ref.substr(0, ref.size() - 2) : ref);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
  std::vector<std::string> names;
  for (auto& e : entries) names.push_back(std::move(e.second));
  return names;
}

Graph convert(const json& model, const std::string& path) {
  check(model.is_object() && model.contains("modelTopology"), path, "not a TF.js graph model (no modelTopology)");
  const auto nodes = parse_nodes(model["modelTopology"], path);
  const auto order = topological_order(nodes, path);

  std::map<std::string, Tensor> weights;
  if (model.contains("weightsManifest")) {
    const auto dir = std::filesystem::path(path).parent_path();
    for (auto& w : tfjs::read_weights(model["weightsManifest"], dir, path)) weights[w.name] = std::move(w.tensor);
  }

  Graph g;
  g.name = path;
  tfjs::Converter c(g);
  std::map<std::string, int> placeholders;
  std::set<std::string> consumed;
  for (const auto& n : nodes)
    for (const auto& ref : n.inputs) consumed.insert(node_of(ref));
  for (int i : order) {
    const TfNode& n = nodes[i];
    const std::string where = path + ": node '" + n.name + "' (" + n.op + ")";
    try {
      if (n.op == "Const") {
        const auto it = weights.find(n.name);
        check(it != weights.end(), where, "no weights for this constant in the manifest");
        c.bind(n.name, 0, c.constant(n.name, it->second));
      } else if (n.op == "Placeholder" || n.op == "PlaceholderWithDefault") {
        tfjs::TfAttrs a(n.attr, where);
        const DType dt = dtype_of(a.type("dtype", "DT_FLOAT"), where);
        auto shape = a.shape("shape");
        check(shape.has_value(), where, "input of unknown rank");
        for (int64_t d : *shape) check(d <= (int64_t{1} << 24), where, "absurd input dimension " + std::to_string(d));
        const int v = c.input(n.name, dt, *shape);
        placeholders[n.name] = v;
        c.bind(n.name, 0, v);
      } else if (n.op == "NoOp") {
        continue;
      } else {
        tfjs::convert_node(c, n);
      }
    } catch (const Error& e) {
      const std::string msg = e.what();
      throw Error(msg.rfind(path, 0) == 0 ? msg : path + ": " + msg);
    }
  }

  auto inputs = signature_names(model, "inputs");
  if (inputs.empty())
    for (const auto& [name, v] : placeholders) inputs.push_back(name);
  for (const auto& name : inputs) {
    const auto it = placeholders.find(name);
    check(it != placeholders.end(), path, "signature input '" + name + "' is not a Placeholder");
    g.inputs.push_back(it->second);
  }
  auto outputs = signature_names(model, "outputs");
  if (outputs.empty()) {  // the graph's sinks, in natural name order (Identity, Identity_1, ...)
    for (const auto& n : nodes)
      if (!consumed.count(n.name) && n.op != "Const" && n.op != "NoOp" && !placeholders.count(n.name))
        outputs.push_back(n.name);
    std::sort(outputs.begin(), outputs.end(), natural_less);
  }
  check(!outputs.empty(), path, "the model has no outputs");
  for (const auto& name : outputs) {
    try {
      g.outputs.push_back(c.value(name));
    } catch (const Error& e) {
      throw Error(path + ": signature output '" + name + "': " + e.what());
    }
  }
  return g;
}

}  // namespace

Graph load_tfjs_graph(const std::string& model_json_path) {
  const std::string& path = model_json_path;
  Graph g;
  try {
    g = convert(read_json(path), path);
    g.finalize();
    g.fold_constants();
  } catch (const Error& e) {
    const std::string msg = e.what();
    throw Error(msg.find(path) != std::string::npos ? msg : path + ": " + msg);
  } catch (const std::bad_alloc&) {
    throw Error(path + ": out of memory while loading");
  } catch (const std::exception& e) {  // nlohmann type errors and the like: still bad input
    throw Error(path + ": " + e.what());
  }
  return g;
}

}  // namespace facekit::nn
