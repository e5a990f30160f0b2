// TensorFlow AttrValue protos as they appear in a TF.js model.json (proto3
// JSON form): {"i":"2"}, {"f":0.2}, {"b":true}, {"s":"<base64>"},
// {"type":"DT_FLOAT"}, {"shape":{"dim":[{"size":"-1"}]}}, {"list":{...}}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facekit/nn/tensor.h"

namespace facekit::nn::tfjs {

// Standard base64 (RFC 4648, padding optional); throws Error naming `context`
// on a character outside the alphabet.
std::string base64_decode(const std::string& text, const std::string& context);

// Typed, defaulted reads of one node's "attr" object. Every getter throws
// Error (naming the node) when the attribute exists in another form.
class TfAttrs {
 public:
  TfAttrs(const nlohmann::json* attr, std::string context) : attr_(attr), context_(std::move(context)) {}

  bool has(const std::string& key) const;
  int64_t i(const std::string& key, int64_t def) const;
  double f(const std::string& key, double def) const;
  bool b(const std::string& key, bool def) const;
  std::string s(const std::string& key, const std::string& def) const;  // base64-decoded
  std::string type(const std::string& key, const std::string& def) const;  // "DT_FLOAT"
  std::vector<int64_t> ints(const std::string& key) const;               // list.i
  std::vector<std::string> strings(const std::string& key) const;        // list.s, decoded
  // The "shape" attribute; nullopt for an unknown rank or when absent.
  std::optional<Shape> shape(const std::string& key) const;

 private:
  const nlohmann::json* get(const std::string& key, const char* field) const;
  const nlohmann::json* attr_;
  std::string context_;
};

// Parses a proto3 int64 (JSON string or number); throws Error naming `context`.
int64_t parse_int64(const nlohmann::json& j, const std::string& context);

// Reads a TensorShapeProto ({"dim":[{"size":"N"}], "unknownRank":bool}).
std::optional<Shape> parse_shape(const nlohmann::json& j, const std::string& context);

}  // namespace facekit::nn::tfjs
