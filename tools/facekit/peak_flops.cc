#include "peak_flops.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FACEKIT_X86 1
#endif

namespace facekit::cli {

#ifdef FACEKIT_X86
namespace {

// Enough independent accumulators to cover the FMA latency on every pipe
// (4 cycles × 2 pipes on current x86 cores), few enough to stay in registers.
constexpr int kChains = 12;

// Each function returns a value depending on every accumulator, so that the
// compiler keeps the whole loop.
__attribute__((target("avx512f"))) float fma_loop_avx512(int64_t iterations) {
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(0.001f * static_cast<float>(k));
  const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i)
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
  __m512 sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm512_add_ps(sum, acc[k]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(0.001f * static_cast<float>(k));
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i)
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
  __m256 sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm256_add_ps(sum, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

// Best of many short runs of `loop` (kChains × lanes FMAs per iteration), in
// GFLOP/s: a short run is likely to get the core to itself even when other
// processes share the machine, and the best run is the one that did.
template <class Loop>
double best_rate(Loop loop, int lanes) {
  constexpr int64_t kIterations = 1'000'000;
  double best = 0;
  volatile float sink = 0;
  for (int attempt = 0; attempt < 40; ++attempt) {
    const auto t0 = std::chrono::steady_clock::now();
    sink = sink + loop(kIterations);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * kChains * lanes * static_cast<double>(kIterations) / s / 1e9);
  }
  return best;
}

}  // namespace

PeakFlops measure_peak_flops() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {best_rate(fma_loop_avx512, 16), "AVX-512"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {best_rate(fma_loop_avx2, 8), "AVX2+FMA"};
  return {};
}
#else
PeakFlops measure_peak_flops() { return {}; }
#endif

}  // namespace facekit::cli
