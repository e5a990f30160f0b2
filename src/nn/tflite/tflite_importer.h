// The TFLite importer's shared state: one verified flatbuffer model being
// turned into a Graph. tflite_load.cc drives it, tflite_tensors.cc decodes
// constants, tflite_ops.cc maps operators.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "facekit/error.h"
#include "facekit/nn/graph.h"
#include "nn/tflite/schema_generated.h"

namespace facekit::nn::tflite_io {

// Limits against hostile files: real models stay far below them.
constexpr int kMaxRank = 8;
constexpr int64_t kMaxDim = int64_t{1} << 24;
constexpr int64_t kMaxElements = int64_t{1} << 31;

class Importer {
 public:
  // `model` must already have passed the flatbuffer Verifier; `file_size` is
  // the size of its bytes (bounds what sparse tensors may expand to).
  Importer(std::string name, const tflite::Model* model, size_t file_size);

  // Builds the graph of the first subgraph (not yet finalized).
  Graph import();

  // --- used by the operator mappers (tflite_ops.cc) ---
  const std::string& name() const { return name_; }
  Graph& graph() { return graph_; }
  const tflite::Tensor& tensor(int index) const;
  // The value id of tensor `index`; -1 stays -1 (an omitted optional input).
  int value(int index) const;
  // The constant behind a value, or nullptr.
  const Tensor* constant(int value_id) const;
  // Declared shape of tensor `index` from the file (validated).
  Shape declared_shape(int index) const;
  // Marks tensor `index` as the constant `t` (load-time work such as
  // DEQUANTIZE and DENSIFY of weights); throws if it is produced twice.
  void set_constant(int index, Tensor t);
  // Adds an intermediate value named after tensor `index`.
  int add_temp(int index, const std::string& suffix);
  // Throws Error naming the file, the operator and `reason`.
  [[noreturn]] void fail(const std::string& where, const std::string& reason) const;

 private:
  void create_values();
  void import_operator(int op_index, const tflite::Operator& op);

  std::string name_;
  const tflite::Model* model_;
  const tflite::SubGraph* subgraph_ = nullptr;
  size_t file_size_;
  Graph graph_;
  std::vector<int> value_of_;       // tensor index -> value id
  std::vector<char> produced_;      // tensor index -> already written by an op
};

// Decodes a constant tensor's buffer to a Tensor (float16, quantized integers
// and float64 become float32; int64 becomes int32; sparse tensors are
// densified). Returns nullopt when the tensor has no data. Defined in
// tflite_tensors.cc.
std::optional<Tensor> decode_constant(const std::string& context, const tflite::Model& model,
                                      const tflite::Tensor& tensor, const Shape& shape, size_t file_size);

// Validates a file shape (rank, dimension range, element count).
Shape checked_shape(const std::string& context, const flatbuffers::Vector<int32_t>* dims);

// Maps one operator onto graph nodes. `code` is the builtin operator code.
// Defined in tflite_ops.cc.
void map_operator(Importer& im, const std::string& where, int32_t code, const tflite::Operator& op);

}  // namespace facekit::nn::tflite_io
