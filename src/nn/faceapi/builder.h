// Building face-api networks in code: a bank of named weights that each
// network takes from exactly once, and a Builder that appends layers to a
// Graph while tracking NHWC shapes, so each network file reads like the
// architecture it expresses.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "facekit/nn/graph.h"
#include "nn/tfjs/weights.h"

namespace facekit::nn::faceapi {

// The weights of one manifest by name. Every weight must be taken (or
// explicitly ignored) exactly once: a weight a network does not read means
// the file and the code disagree about the architecture.
class WeightBank {
 public:
  WeightBank(std::vector<tfjs::NamedWeight> weights, std::string file);

  bool has(const std::string& name) const { return weights_.count(name) != 0; }
  // Shape of weight `name`; throws Error when it is missing.
  const Shape& shape_of(const std::string& name) const;
  // Takes float32 weight `name`, checking its shape against `expected` (-1
  // matches any size). Throws Error naming the file and the weight when it is
  // missing, taken before, not float32 or shaped otherwise.
  Tensor take(const std::string& name, const Shape& expected);
  // Marks a weight face-api's code never reads as used.
  void ignore(const std::string& name);
  // Throws Error naming the first weight never taken.
  void check_all_used() const;

  // Total elements over all weights of the manifest (MODELS.md's "Params").
  int64_t element_count() const;
  size_t size() const { return weights_.size(); }
  const std::string& file() const { return file_; }

 private:
  std::map<std::string, Tensor> weights_;
  std::vector<std::string> order_;  // manifest order, for stable messages
  std::set<std::string> used_;
  std::string file_;
};

enum class Padding { kSame, kValid };  // TF "same" (SAME_UPPER) and "valid"

// A fused activation of Conv / Dense (see src/nn/ops/README.md).
struct Activation {
  std::string op;      // "", "Relu", "Relu6", "LeakyRelu"
  double alpha = 0.0;  // LeakyRelu slope
};
inline const Activation kNoActivation{};
inline const Activation kRelu{"Relu"};
inline const Activation kRelu6{"Relu6"};

// Appends layers to `graph`, taking their weights from `weights`. Every
// method returns the id of the value it produced; its shape is set as it
// will be inferred, so networks can size padding from it.
class Builder {
 public:
  Builder(Graph& graph, WeightBank& weights) : g_(graph), w_(weights) {}

  WeightBank& weights() { return w_; }
  const Shape& shape(int v) const { return g_.values[v].shape; }
  int64_t channels(int v) const { return shape(v).back(); }

  // Declares the graph input: float32 NHWC.
  int input(const std::string& name, Shape nhwc);
  // Makes `v` a graph output called `name`.
  void output(int v, const std::string& name);

  // Conv with a TF filter [KH, KW, I, O] and optional bias [O].
  int conv(int x, const Tensor& hwio, const Tensor* bias, int stride, Padding pad, Activation act,
           const std::string& label);
  // Conv from named weights `<filters>` [k, k, C_in, O] and `<bias>` [O] ("" = none).
  int conv(int x, const std::string& filters, const std::string& bias, int stride, Padding pad,
           Activation act = kNoActivation);
  // Depthwise conv with a TF filter [KH, KW, C, 1] and optional bias [C].
  int depthwise(int x, const Tensor& khkwc1, const Tensor* bias, int stride, Padding pad, Activation act,
                const std::string& label);
  // tf.separableConv2d(same) + bias from `<prefix>/{depthwise_filter,pointwise_filter,bias}`.
  int separable(int x, const std::string& prefix, int stride, Activation act = kNoActivation);
  // Fully connected from named weights `<weights>` [K, N] and `<bias>` [N] ("" = none).
  int dense(int x, const std::string& weights, const std::string& bias);

  int add(int a, int b) { return binary("Add", a, b); }
  int binary(const std::string& op, int a, int b);
  // `op` (Add, Sub, Mul, Div) of `x` and a constant, broadcast numpy-style.
  int with_constant(const std::string& op, int x, Tensor c, const std::string& label);
  int relu(int x) { return unary("Relu", x); }
  int unary(const std::string& op, int x, Attributes attrs = {});

  int max_pool(int x, int kernel, int stride, Padding pad) { return pool("MaxPool", x, kernel, stride, pad); }
  int avg_pool(int x, int kernel, int stride, Padding pad) { return pool("AveragePool", x, kernel, stride, pad); }
  // Mean over H and W: [N, H, W, C] -> [N, C].
  int mean_hw(int x);
  // Zero padding: `pads` = [b0, b1, ..., e0, e1, ...] as the Pad operator.
  int pad(int x, const std::vector<int64_t>& pads);
  int reshape(int x, const Shape& shape);
  int slice(int x, int64_t axis, int64_t start, int64_t end);
  int concat(const std::vector<int>& xs, int64_t axis);

 private:
  int pool(const std::string& op, int x, int kernel, int stride, Padding pad);
  int new_value(const std::string& label, Shape shape);
  int constant(const std::string& label, Tensor t);
  std::string unique(const std::string& label);

  Graph& g_;
  WeightBank& w_;
  std::set<std::string> names_;
  int counter_ = 0;
};

}  // namespace facekit::nn::faceapi
