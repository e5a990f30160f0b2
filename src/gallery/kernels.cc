#include "gallery/kernels.h"

namespace facekit::kernels {

// 32 independent accumulators: no reassociation is needed to vectorise the
// inner loop, and enough of them hide the FMA latency at AVX-512 width.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FACEKIT_MULTIVERSION [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define FACEKIT_MULTIVERSION
#endif

constexpr size_t kLanes = 32;

FACEKIT_MULTIVERSION float dot(const float* a, const float* b, size_t n) {
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; ++j) acc[j] += a[i + j] * b[i + j];
  float sum = 0;
  for (; i < n; ++i) sum += a[i] * b[i];
  for (float x : acc) sum += x;
  return sum;
}

FACEKIT_MULTIVERSION float squared_l2(const float* a, const float* b, size_t n) {
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; ++j) {
      const float d = a[i + j] - b[i + j];
      acc[j] += d * d;
    }
  float sum = 0;
  for (; i < n; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  for (float x : acc) sum += x;
  return sum;
}

}  // namespace facekit::kernels
