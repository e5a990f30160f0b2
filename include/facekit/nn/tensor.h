// Tensor: a dense, row-major n-d array that owns (or shares) its bytes.
//
// The runtime computes in float32; int32 carries shapes and indices, bool
// carries comparison results. Copies share the buffer (cheap); use clone()
// for a deep copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace facekit::nn {

enum class DType : uint8_t { kFloat32, kInt32, kBool };

const char* dtype_name(DType t);
size_t dtype_size(DType t);

using Shape = std::vector<int64_t>;  // -1 marks a dimension unknown until run time

// Number of elements; throws Error if any dimension is negative or the count
// overflows `limit` (the guard against absurd shapes in hostile files).
int64_t shape_numel(const Shape& s, int64_t limit = int64_t{1} << 34);
std::string shape_str(const Shape& s);

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-initialised storage for `shape` (all dims must be known).
  Tensor(DType dtype, Shape shape);
  // Storage for `shape` whose contents are unspecified: for code that writes
  // every element before reading any (skips the zero fill).
  static Tensor uninitialized(DType dtype, Shape shape);
  static Tensor from_floats(Shape shape, const std::vector<float>& values);
  static Tensor from_ints(Shape shape, const std::vector<int32_t>& values);
  static Tensor scalar(float v) { return from_floats({}, {v}); }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i < 0 ? i + rank() : i]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool empty() const { return !buffer_; }

  template <class T> T* data() { return reinterpret_cast<T*>(buffer_.get()); }
  template <class T> const T* data() const { return reinterpret_cast<const T*>(buffer_.get()); }
  void* raw() { return buffer_.get(); }
  const void* raw() const { return buffer_.get(); }

  // Same bytes, new shape; throws Error unless the element counts agree.
  Tensor reshaped(Shape shape) const;
  Tensor clone() const;
  // Values as int64 (for shape-like tensors of either integer or float type).
  std::vector<int64_t> to_int64() const;
  std::vector<float> to_floats() const;

 private:
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<std::byte[]> buffer_;  // 64-byte aligned
};

}  // namespace facekit::nn
