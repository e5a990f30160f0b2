#include "facekit/nn/tensor.h"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

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
constexpr size_t kAlign = 64;

std::byte* new_block(size_t bytes) { return static_cast<std::byte*>(::operator new[](bytes, std::align_val_t{kAlign})); }
void delete_block(std::byte* p) { ::operator delete[](p, std::align_val_t{kAlign}); }

// Freed tensor buffers, kept for reuse by exact size. An executor allocates
// the same sizes on every run; without the pool, malloc hands large freed
// blocks back to the system (heap trimming) and the next run page-faults them
// in again, which costs more than the arithmetic on small models. Bounded:
// when full, everything cached is freed (the sizes in use have changed).
class BufferPool {
 public:
  std::byte* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    std::byte* p = it->second.back();
    it->second.pop_back();
    cached_ -= bytes;
    return p;
  }

  void give(std::byte* p, size_t bytes) {
    std::vector<std::byte*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + bytes > kMaxCachedBytes) {
        for (auto& [size, blocks] : free_) evicted.insert(evicted.end(), blocks.begin(), blocks.end());
        free_.clear();
        cached_ = 0;
      }
      if (bytes <= kMaxCachedBytes) {
        free_[bytes].push_back(p);
        cached_ += bytes;
        p = nullptr;
      }
    }
    for (std::byte* q : evicted) delete_block(q);
    if (p) delete_block(p);
  }

 private:
  static constexpr size_t kMaxCachedBytes = size_t{256} << 20;
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<std::byte*>> free_;
  size_t cached_ = 0;
};

// Never destroyed: tensors held in statics may be freed after it would be.
BufferPool& buffer_pool() {
  static auto* pool = new BufferPool;
  return *pool;
}

// Blocks this small come from malloc's own free lists cheaply. Under
// AddressSanitizer nothing is pooled, so use-after-free stays detectable.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FACEKIT_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(FACEKIT_ADDRESS_SANITIZER)
constexpr size_t kMinPooledBytes = SIZE_MAX;
#else
constexpr size_t kMinPooledBytes = size_t{64} << 10;
#endif

// Aligned for SIMD kernels (and zero-initialised when `zero`); the tail is
// padded so vector loads past the last element stay inside the allocation.
std::shared_ptr<std::byte[]> allocate(size_t bytes, bool zero) {
  const size_t padded = (bytes + kAlign) / kAlign * kAlign;
  if (padded < kMinPooledBytes) {
    std::byte* p = new_block(padded);
    if (zero) std::memset(p, 0, padded);
    return std::shared_ptr<std::byte[]>(p, delete_block);
  }
  std::byte* p = buffer_pool().take(padded);
  if (!p) p = new_block(padded);
  if (zero) std::memset(p, 0, padded);
  return std::shared_ptr<std::byte[]>(p, [padded](std::byte* q) { buffer_pool().give(q, padded); });
}
}  // namespace

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = shape_numel(shape_);
  buffer_ = allocate(nbytes(), true);
}

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = shape_numel(t.shape_);
  t.buffer_ = allocate(t.nbytes(), false);
  return t;
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
