// Decoding TFLite constant buffers into Tensors. Every claim the file makes
// (shape, element type, quantization, sparsity) is checked against the bytes
// that are actually there before anything is allocated or read.
#include <cmath>
#include <cstring>
#include <limits>

#include "nn/half.h"
#include "nn/tflite/tflite_importer.h"

namespace facekit::nn::tflite_io {

namespace {

size_t element_size(tflite::TensorType t) {
  switch (t) {
    case tflite::TensorType_FLOAT32: case tflite::TensorType_INT32: return 4;
    case tflite::TensorType_FLOAT16: case tflite::TensorType_INT16: return 2;
    case tflite::TensorType_UINT8: case tflite::TensorType_INT8: case tflite::TensorType_BOOL: return 1;
    case tflite::TensorType_INT64: case tflite::TensorType_FLOAT64: return 8;
    default: return 0;
  }
}

// Raw element `i` of `bytes` as a double (bytes may be unaligned).
double element_as_double(tflite::TensorType t, const uint8_t* bytes, size_t i) {
  auto load = [&](auto v) {
    std::memcpy(&v, bytes + i * sizeof v, sizeof v);
    return v;
  };
  switch (t) {
    case tflite::TensorType_FLOAT32: return load(float{});
    case tflite::TensorType_FLOAT16: return half_to_float(load(uint16_t{}));
    case tflite::TensorType_INT32: return load(int32_t{});
    case tflite::TensorType_INT16: return load(int16_t{});
    case tflite::TensorType_UINT8: return load(uint8_t{});
    case tflite::TensorType_INT8: return load(int8_t{});
    case tflite::TensorType_BOOL: return load(uint8_t{}) != 0;
    case tflite::TensorType_INT64: return static_cast<double>(load(int64_t{}));
    case tflite::TensorType_FLOAT64: return load(double{});
    default: return 0;
  }
}

bool is_integer(tflite::TensorType t) {
  return t == tflite::TensorType_INT32 || t == tflite::TensorType_INT64 || t == tflite::TensorType_INT16 ||
         t == tflite::TensorType_UINT8 || t == tflite::TensorType_INT8;
}

// Affine dequantization (q - zero_point) * scale, per tensor or per axis.
// Returns an empty vector when the tensor carries no scale.
std::vector<float> dequantize(const std::string& ctx, const tflite::Tensor& tensor, const Shape& shape,
                              const std::vector<double>& raw) {
  const auto* q = tensor.quantization();
  if (!q || !q->scale() || q->scale()->size() == 0) return {};
  const auto* scale = q->scale();
  const auto* zero = q->zero_point();
  const size_t channels = scale->size();
  int64_t inner = 1;  // elements between two steps of the quantized axis
  if (channels > 1) {
    const int axis = q->quantized_dimension();
    check(axis >= 0 && axis < static_cast<int>(shape.size()) && shape[axis] == static_cast<int64_t>(channels), ctx,
          "per-axis quantization does not match the shape");
    for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  check(!zero || zero->size() == 0 || zero->size() == channels, ctx, "zero_point count differs from scale count");
  std::vector<float> out(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const size_t c = channels > 1 ? (i / inner) % channels : 0;
    const double zp = (zero && zero->size()) ? static_cast<double>(zero->Get(c)) : 0.0;
    out[i] = static_cast<float>((raw[i] - zp) * scale->Get(c));
  }
  return out;
}

// Reads entry `i` of a sparse index vector (any of its three encodings).
class IndexVector {
 public:
  IndexVector(const std::string& ctx, tflite::SparseIndexVector type, const void* table) {
    switch (type) {
      case tflite::SparseIndexVector_Int32Vector:
        i32_ = static_cast<const tflite::Int32Vector*>(table)->values(); break;
      case tflite::SparseIndexVector_Uint16Vector:
        u16_ = static_cast<const tflite::Uint16Vector*>(table)->values(); break;
      case tflite::SparseIndexVector_Uint8Vector:
        u8_ = static_cast<const tflite::Uint8Vector*>(table)->values(); break;
      default: break;
    }
    check(i32_ || u16_ || u8_, ctx, "sparse dimension without index arrays");
  }
  size_t size() const { return i32_ ? i32_->size() : u16_ ? u16_->size() : u8_->size(); }
  int64_t operator[](size_t i) const { return i32_ ? i32_->Get(i) : u16_ ? u16_->Get(i) : u8_->Get(i); }

 private:
  const flatbuffers::Vector<int32_t>* i32_ = nullptr;
  const flatbuffers::Vector<uint16_t>* u16_ = nullptr;
  const flatbuffers::Vector<uint8_t>* u8_ = nullptr;
};

// Expands a sparse tensor (TFLite's format: per traversal level either a
// dense range or CSR segments + indices; no block sparsity) into `out`.
class Densifier {
 public:
  Densifier(const std::string& ctx, const tflite::SparsityParameters& sp, const Shape& shape,
            const std::vector<float>& stored, std::vector<float>& out)
      : ctx_(ctx), shape_(shape), stored_(stored), out_(out) {
    const int rank = static_cast<int>(shape.size());
    check(!sp.block_map() || sp.block_map()->size() == 0, ctx, "block-sparse tensors are not supported");
    check(sp.traversal_order() && static_cast<int>(sp.traversal_order()->size()) == rank, ctx,
          "sparsity traversal order does not match the rank");
    check(sp.dim_metadata() && static_cast<int>(sp.dim_metadata()->size()) == rank, ctx,
          "sparsity metadata does not match the rank");
    std::vector<char> seen(rank, 0);
    for (int level = 0; level < rank; ++level) {
      const int d = sp.traversal_order()->Get(level);
      check(d >= 0 && d < rank && !seen[d], ctx, "sparsity traversal order is not a permutation");
      seen[d] = 1;
      order_.push_back(d);
      const auto* meta = sp.dim_metadata()->Get(level);
      check(meta != nullptr, ctx, "missing sparsity metadata");
      if (meta->format() == tflite::DimensionType_DENSE) {
        check(meta->dense_size() == shape[d], ctx, "dense_size differs from the tensor shape");
        levels_.push_back(Level{});
      } else {
        levels_.push_back(Level{true, IndexVector(ctx, meta->array_segments_type(), meta->array_segments()),
                                IndexVector(ctx, meta->array_indices_type(), meta->array_indices())});
      }
    }
    strides_.assign(rank, 1);
    for (int d = rank - 2; d >= 0; --d) strides_[d] = strides_[d + 1] * shape[d + 1];
  }

  void run() { visit(0, 0, 0); }

 private:
  struct Level {
    bool sparse = false;
    std::optional<IndexVector> segments, indices;
  };

  // `pos` is the position within this level's parent storage; `offset` the
  // dense output offset accumulated so far.
  void visit(size_t level, int64_t pos, int64_t offset) {
    // A valid structure visits each dense cell once; overlapping segments in
    // a hostile file could otherwise multiply the work without bound.
    check(++visits_ <= 2 * static_cast<int64_t>(out_.size()) + 64, ctx_, "sparse segments overlap");
    if (level == levels_.size()) {
      check(pos >= 0 && static_cast<size_t>(pos) < stored_.size(), ctx_, "sparse index past the stored values");
      out_[offset] = stored_[pos];
      return;
    }
    const int d = order_[level];
    const Level& l = levels_[level];
    if (!l.sparse) {
      for (int64_t i = 0; i < shape_[d]; ++i) visit(level + 1, pos * shape_[d] + i, offset + i * strides_[d]);
      return;
    }
    check(pos >= 0 && static_cast<size_t>(pos) + 1 < l.segments->size(), ctx_, "sparse segment index out of range");
    const int64_t begin = (*l.segments)[pos], end = (*l.segments)[pos + 1];
    check(begin >= 0 && begin <= end && static_cast<size_t>(end) <= l.indices->size(), ctx_,
          "sparse segments are not increasing or exceed the indices");
    for (int64_t k = begin; k < end; ++k) {
      const int64_t i = (*l.indices)[k];
      check(i >= 0 && i < shape_[d], ctx_, "sparse index out of range");
      visit(level + 1, k, offset + i * strides_[d]);
    }
  }

  const std::string& ctx_;
  const Shape& shape_;
  const std::vector<float>& stored_;
  std::vector<float>& out_;
  std::vector<int> order_;
  std::vector<Level> levels_;
  std::vector<int64_t> strides_;
  int64_t visits_ = 0;
};

}  // namespace

Shape checked_shape(const std::string& ctx, const flatbuffers::Vector<int32_t>* dims) {
  Shape shape;
  if (!dims) return shape;
  check(dims->size() <= static_cast<size_t>(kMaxRank), ctx, "rank " + std::to_string(dims->size()) + " is too large");
  for (int32_t d : *dims) {
    check(d >= -1 && d <= kMaxDim, ctx, "absurd dimension " + std::to_string(d));
    shape.push_back(d);
  }
  Shape known = shape;
  for (auto& d : known) d = std::max<int64_t>(d, 1);
  shape_numel(known, kMaxElements);  // throws for absurd element counts
  return shape;
}

std::optional<Tensor> decode_constant(const std::string& ctx, const tflite::Model& model,
                                      const tflite::Tensor& tensor, const Shape& shape, size_t file_size) {
  const auto* buffers = model.buffers();
  const uint32_t b = tensor.buffer();
  if (b == 0 || !buffers) return std::nullopt;  // buffer 0 is the empty sentinel
  check(b < buffers->size(), ctx, "buffer index " + std::to_string(b) + " out of range");
  const auto* buffer = buffers->Get(b);
  check(buffer != nullptr, ctx, "missing buffer");
  check(buffer->offset() == 0 && buffer->size() == 0, ctx, "data stored outside the flatbuffer is not supported");
  const auto* data = buffer->data();
  if (!data || data->size() == 0) return std::nullopt;

  const tflite::TensorType type = tensor.type();
  const size_t esize = element_size(type);
  check(esize != 0, ctx, std::string("unsupported tensor type ") + tflite::EnumNameTensorType(type));
  for (int64_t d : shape) check(d >= 0, ctx, "constant with an unknown dimension");
  const int64_t numel = shape_numel(shape, kMaxElements);
  const bool sparse = tensor.sparsity() != nullptr;
  const size_t stored_count = sparse ? data->size() / esize : static_cast<size_t>(numel);
  check(data->size() == stored_count * esize, ctx,
        "buffer holds " + std::to_string(data->size()) + " bytes, the shape " + shape_str(shape) + " needs " +
            std::to_string(stored_count * esize));

  std::vector<double> raw(stored_count);
  for (size_t i = 0; i < stored_count; ++i) raw[i] = element_as_double(type, data->data(), i);

  std::vector<float> floats = dequantize(ctx, tensor, shape, raw);
  const bool to_int = floats.empty() && is_integer(type);
  if (floats.empty() && !to_int && type != tflite::TensorType_BOOL)
    for (double v : raw) floats.push_back(static_cast<float>(v));

  if (sparse) {
    check(!to_int && type != tflite::TensorType_BOOL, ctx, "sparse integer tensors are not supported");
    // A sparse tensor may not expand beyond what a dense file could hold
    // many times over: this bounds the allocation a hostile shape can cause.
    check(numel <= static_cast<int64_t>(64 * file_size + 4096), ctx,
          "sparse shape " + shape_str(shape) + " is absurdly large for the file");
    std::vector<float> dense(static_cast<size_t>(numel), 0.0f);
    Densifier(ctx, *tensor.sparsity(), shape, floats, dense).run();
    return Tensor::from_floats(shape, dense);
  }
  if (type == tflite::TensorType_BOOL) {
    Tensor t(DType::kBool, shape);
    for (size_t i = 0; i < raw.size(); ++i) t.data<uint8_t>()[i] = raw[i] != 0;
    return t;
  }
  if (to_int) {
    std::vector<int32_t> ints(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      check(raw[i] >= std::numeric_limits<int32_t>::min() && raw[i] <= std::numeric_limits<int32_t>::max(), ctx,
            "integer constant does not fit in int32");
      ints[i] = static_cast<int32_t>(raw[i]);
    }
    return Tensor::from_ints(shape, ints);
  }
  return Tensor::from_floats(shape, floats);
}

}  // namespace facekit::nn::tflite_io
