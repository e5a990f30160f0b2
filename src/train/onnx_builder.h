// A small writer of ONNX graphs (opset 13, NCHW) from trained tensors: the
// backbones append their nodes, the exporter saves the model.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <torch/types.h>

namespace onnx {
class ModelProto;
}

namespace facekit::train {

class OnnxBuilder {
 public:
  OnnxBuilder();
  ~OnnxBuilder();
  // A float input N×channels×size×size with a free batch dimension.
  std::string add_input(const std::string& name, int channels, int size);
  // A float input N×length (a vector per sample) with a free batch dimension.
  std::string add_vector_input(const std::string& name, int length);
  // Declares value `name` a float output of `shape` (−1: a free dimension);
  // throws Error when no node gives that value.
  void add_output(const std::string& name, const std::vector<int64_t>& shape);
  // A constant (copied to float32, contiguous, on the CPU); returns its unique name.
  std::string add_initializer(const std::string& hint, const torch::Tensor& value);
  // One node; returns the name of its (first) output: `output_hint` itself
  // while no other value has that name, else the hint with a numeric suffix.
  // Attributes are set on this latest node through the typed helpers below.
  std::string add_node(const std::string& op, const std::vector<std::string>& inputs,
                       const std::string& output_hint);
  void set_int(const std::string& attribute, int64_t value);
  void set_float(const std::string& attribute, float value);
  void set_ints(const std::string& attribute, const std::vector<int64_t>& values);
  // Model metadata (key/value strings).
  void set_metadata(const std::string& key, const std::string& value);
  // Writes the model; throws Error naming the file when it cannot.
  void save(const std::string& path) const;

 private:
  // An input of `dims` after the free batch dimension.
  std::string add_input_of(const std::string& name, const std::vector<int64_t>& dims);
  // `hint` while unused, else `hint_<n>`; marks the name as taken.
  std::string unique_name(const std::string& hint);

  std::unique_ptr<onnx::ModelProto> model_;
  std::set<std::string> taken_;  // every value name of the graph
  int next_id_ = 0;
};

}  // namespace facekit::train
