#include "facekit/nn/tensor.h"

#include <cstring>
#include <new>

#include "facekit/error.h"

namespace facekit::nn {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt32: return "int32";
    case DType::kBool: return "bool";
  }
  return "?";
}

size_t dtype_size(DType t) { return t == DType::kBool ? 1 : 4; }

int64_t shape_numel(const Shape& s, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : s) {
    check(d >= 0, "shape " + shape_str(s), "has an unknown or negative dimension");
    if (d != 0 && n > limit / d) throw Error("shape " + shape_str(s) + ": more than " + std::to_string(limit) + " elements");
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

namespace {
// Aligned for SIMD kernels; the tail is padded so vector loads past the last
// element stay inside the allocation.
std::shared_ptr<std::byte[]> allocate(size_t bytes) {
  constexpr size_t kAlign = 64;
  const size_t padded = (bytes + kAlign) / kAlign * kAlign;
  auto* p = static_cast<std::byte*>(::operator new[](padded, std::align_val_t{kAlign}));
  std::memset(p, 0, padded);
  return std::shared_ptr<std::byte[]>(p, [](std::byte* q) { ::operator delete[](q, std::align_val_t{kAlign}); });
}
}  // namespace

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = shape_numel(shape_);
  buffer_ = allocate(nbytes());
}

Tensor Tensor::from_floats(Shape shape, const std::vector<float>& values) {
  Tensor t(DType::kFloat32, std::move(shape));
  check(static_cast<int64_t>(values.size()) == t.numel(), "tensor " + shape_str(t.shape()),
        std::to_string(values.size()) + " values given");
  if (t.nbytes()) std::memcpy(t.raw(), values.data(), t.nbytes());  // an empty vector's data() may be null
  return t;
}

Tensor Tensor::from_ints(Shape shape, const std::vector<int32_t>& values) {
  Tensor t(DType::kInt32, std::move(shape));
  check(static_cast<int64_t>(values.size()) == t.numel(), "tensor " + shape_str(t.shape()),
        std::to_string(values.size()) + " values given");
  if (t.nbytes()) std::memcpy(t.raw(), values.data(), t.nbytes());  // an empty vector's data() may be null
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  check(shape_numel(shape) == numel_, "reshape " + shape_str(shape_) + " to " + shape_str(shape),
        "element counts differ");
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

std::vector<int64_t> Tensor::to_int64() const {
  std::vector<int64_t> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::kFloat32: out[i] = static_cast<int64_t>(data<float>()[i]); break;
      case DType::kInt32: out[i] = data<int32_t>()[i]; break;
      case DType::kBool: out[i] = data<uint8_t>()[i]; break;
    }
  }
  return out;
}

std::vector<float> Tensor::to_floats() const {
  std::vector<float> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::kFloat32: out[i] = data<float>()[i]; break;
      case DType::kInt32: out[i] = static_cast<float>(data<int32_t>()[i]); break;
      case DType::kBool: out[i] = data<uint8_t>()[i]; break;
    }
  }
  return out;
}

}  // namespace facekit::nn
