#include "nn/tfjs/tf_attr.h"

#include <charconv>
#include <cmath>

#include "facekit/error.h"

namespace facekit::nn::tfjs {

std::string base64_decode(const std::string& text, const std::string& context) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;  // '-' and '_': the URL-safe alphabet
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') break;
    else throw Error(context + ": invalid base64 string");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffu));
    }
  }
  return out;
}

int64_t parse_int64(const nlohmann::json& j, const std::string& context) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) {
    const double d = j.get<double>();
    check(std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18, context, "integer expected, got " + j.dump());
    return static_cast<int64_t>(d);
  }
  check(j.is_string(), context, "integer expected, got " + j.dump());
  const std::string& s = j.get_ref<const std::string&>();
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  check(ec == std::errc() && end == s.data() + s.size() && !s.empty(), context, "integer expected, got \"" + s + "\"");
  return v;
}

std::optional<Shape> parse_shape(const nlohmann::json& j, const std::string& context) {
  check(j.is_object(), context, "shape is not an object");
  if (j.contains("unknownRank") && j["unknownRank"].is_boolean() && j["unknownRank"].get<bool>()) return std::nullopt;
  Shape shape;
  if (!j.contains("dim")) return shape;  // a scalar
  check(j["dim"].is_array() && j["dim"].size() <= 8, context, "shape dims are not a short array");
  for (const auto& d : j["dim"]) {
    check(d.is_object(), context, "shape dim is not an object");
    const int64_t size = d.contains("size") ? parse_int64(d["size"], context) : 0;
    check(size >= -1, context, "negative dimension " + std::to_string(size));
    shape.push_back(size);
  }
  return shape;
}

const nlohmann::json* TfAttrs::get(const std::string& key, const char* field) const {
  if (!attr_ || !attr_->is_object() || !attr_->contains(key)) return nullptr;
  const auto& a = (*attr_)[key];
  check(a.is_object(), context_, "attribute '" + key + "' is not an object");
  if (!a.contains(field)) {
    // proto3 JSON omits default values: {"list":{}} or {} are legal.
    check(a.empty() || std::string(field) == "list", context_,
          "attribute '" + key + "' has no '" + field + "' field");
    return nullptr;
  }
  return &a[field];
}

bool TfAttrs::has(const std::string& key) const { return attr_ && attr_->is_object() && attr_->contains(key); }

int64_t TfAttrs::i(const std::string& key, int64_t def) const {
  const auto* v = get(key, "i");
  return v ? parse_int64(*v, context_ + ", attribute '" + key + "'") : def;
}

double TfAttrs::f(const std::string& key, double def) const {
  const auto* v = get(key, "f");
  if (!v) return def;
  if (v->is_number()) return v->get<double>();
  check(v->is_string(), context_, "attribute '" + key + "' is not a number");
  const std::string& s = v->get_ref<const std::string&>();
  if (s == "NaN") return NAN;
  if (s == "Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  throw Error(context_ + ": attribute '" + key + "' is not a number");
}

bool TfAttrs::b(const std::string& key, bool def) const {
  const auto* v = get(key, "b");
  if (!v) return def;
  check(v->is_boolean(), context_, "attribute '" + key + "' is not a boolean");
  return v->get<bool>();
}

std::string TfAttrs::s(const std::string& key, const std::string& def) const {
  const auto* v = get(key, "s");
  if (!v) return def;
  check(v->is_string(), context_, "attribute '" + key + "' is not a string");
  return base64_decode(v->get<std::string>(), context_ + ", attribute '" + key + "'");
}

std::string TfAttrs::type(const std::string& key, const std::string& def) const {
  const auto* v = get(key, "type");
  if (!v) return def;
  if (v->is_number_integer()) {  // the enum's number: 1 float, 3 int32, 10 bool
    switch (v->get<int64_t>()) {
      case 1: return "DT_FLOAT";
      case 3: return "DT_INT32";
      case 10: return "DT_BOOL";
      default: return "DT_" + std::to_string(v->get<int64_t>());
    }
  }
  check(v->is_string(), context_, "attribute '" + key + "' is not a type");
  return v->get<std::string>();
}

std::vector<int64_t> TfAttrs::ints(const std::string& key) const {
  const auto* l = get(key, "list");
  if (!l) return {};
  check(l->is_object(), context_, "attribute '" + key + "' is not a list");
  if (!l->contains("i")) return {};
  const auto& a = (*l)["i"];
  check(a.is_array() && a.size() <= 64, context_, "attribute '" + key + "' is not a short integer list");
  std::vector<int64_t> out;
  for (const auto& x : a) out.push_back(parse_int64(x, context_ + ", attribute '" + key + "'"));
  return out;
}

std::vector<std::string> TfAttrs::strings(const std::string& key) const {
  const auto* l = get(key, "list");
  if (!l) return {};
  check(l->is_object(), context_, "attribute '" + key + "' is not a list");
  if (!l->contains("s")) return {};
  const auto& a = (*l)["s"];
  check(a.is_array(), context_, "attribute '" + key + "' is not a string list");
  std::vector<std::string> out;
  for (const auto& x : a) {
    check(x.is_string(), context_, "attribute '" + key + "' holds a non-string");
    out.push_back(base64_decode(x.get<std::string>(), context_ + ", attribute '" + key + "'"));
  }
  return out;
}

std::optional<Shape> TfAttrs::shape(const std::string& key) const {
  const auto* v = get(key, "shape");
  if (!v) return std::nullopt;
  return parse_shape(*v, context_ + ", attribute '" + key + "'");
}

}  // namespace facekit::nn::tfjs
