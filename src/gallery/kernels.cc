#include "gallery/kernels.h"

#include <string>

#include "facekit/error.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FACEKIT_X86_KERNELS 1
#endif

namespace facekit::kernels {
namespace {

enum class Kind { kDot, kSquaredL2 };

// Portable version: 16 independent partial sums (vectorisable without
// reassociation), summed pairwise.
template <Kind kind>
float generic(const float* a, const float* b, size_t n) {
  constexpr size_t kLanes = 16;
  float acc[kLanes] = {};
  for (size_t i = 0; i < n; ++i) {
    const float d = kind == Kind::kDot ? a[i] * b[i] : (a[i] - b[i]) * (a[i] - b[i]);
    acc[i % kLanes] += d;
  }
  for (size_t width = kLanes / 2; width > 0; width /= 2)
    for (size_t j = 0; j < width; ++j) acc[j] += acc[j + width];
  return acc[0];
}

template <Kind kind>
void generic_rows(const float* query, const float* rows, size_t count, size_t n, float* out) {
  for (size_t r = 0; r < count; ++r) out[r] = generic<kind>(query, rows + r * n, n);
}

#ifdef FACEKIT_X86_KERNELS
// AVX-512: four rows per pass (four independent FMA chains; the query is
// loaded once for all four), the ragged end through masked loads.
template <Kind kind>
[[gnu::target("avx512f")]] inline __m512 accumulate512(__m512 acc, __m512 q, __m512 x) {
  if constexpr (kind == Kind::kDot) return _mm512_fmadd_ps(q, x, acc);
  const __m512 d = _mm512_sub_ps(q, x);
  return _mm512_fmadd_ps(d, d, acc);
}

// The sum of the 16 lanes, through memory (GCC 12's in-register
// reductions and lane shuffles trip -Wmaybe-uninitialized in its headers).
[[gnu::target("avx512f")]] inline float sum512(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  const __m256 half = _mm256_add_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8));
  const __m128 quarter = _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
  const __m128 pairs = _mm_add_ps(quarter, _mm_movehl_ps(quarter, quarter));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

template <Kind kind>
[[gnu::target("avx512f")]] void avx512_rows(const float* query, const float* rows, size_t count, size_t n,
                                             float* out) {
  const size_t whole = n & ~size_t{15};
  const __mmask16 tail = static_cast<__mmask16>((1u << (n - whole)) - 1);
  size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const float* x = rows + r * n;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < whole; i += 16) {
      const __m512 q = _mm512_loadu_ps(query + i);
      a0 = accumulate512<kind>(a0, q, _mm512_loadu_ps(x + i));
      a1 = accumulate512<kind>(a1, q, _mm512_loadu_ps(x + n + i));
      a2 = accumulate512<kind>(a2, q, _mm512_loadu_ps(x + 2 * n + i));
      a3 = accumulate512<kind>(a3, q, _mm512_loadu_ps(x + 3 * n + i));
    }
    if (tail) {
      const __m512 q = _mm512_maskz_loadu_ps(tail, query + whole);
      a0 = accumulate512<kind>(a0, q, _mm512_maskz_loadu_ps(tail, x + whole));
      a1 = accumulate512<kind>(a1, q, _mm512_maskz_loadu_ps(tail, x + n + whole));
      a2 = accumulate512<kind>(a2, q, _mm512_maskz_loadu_ps(tail, x + 2 * n + whole));
      a3 = accumulate512<kind>(a3, q, _mm512_maskz_loadu_ps(tail, x + 3 * n + whole));
    }
    out[r] = sum512(a0);
    out[r + 1] = sum512(a1);
    out[r + 2] = sum512(a2);
    out[r + 3] = sum512(a3);
  }
  for (; r < count; ++r) {
    const float* x = rows + r * n;
    __m512 a = _mm512_setzero_ps();
    for (size_t i = 0; i < whole; i += 16) a = accumulate512<kind>(a, _mm512_loadu_ps(query + i), _mm512_loadu_ps(x + i));
    if (tail)
      a = accumulate512<kind>(a, _mm512_maskz_loadu_ps(tail, query + whole), _mm512_maskz_loadu_ps(tail, x + whole));
    out[r] = sum512(a);
  }
}

// AVX2 + FMA: the same at 8 lanes, the ragged end in scalar code.
template <Kind kind>
[[gnu::target("avx2,fma")]] inline __m256 accumulate256(__m256 acc, __m256 q, __m256 x) {
  if constexpr (kind == Kind::kDot) return _mm256_fmadd_ps(q, x, acc);
  const __m256 d = _mm256_sub_ps(q, x);
  return _mm256_fmadd_ps(d, d, acc);
}

[[gnu::target("avx2,fma")]] inline float sum256(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

template <Kind kind>
[[gnu::target("avx2,fma")]] float avx2_one(const float* q, const float* x, size_t n) {
  const size_t whole = n & ~size_t{7};
  __m256 a = _mm256_setzero_ps(), b = a;
  size_t i = 0;
  for (; i + 16 <= whole; i += 16) {
    a = accumulate256<kind>(a, _mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i));
    b = accumulate256<kind>(b, _mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(x + i + 8));
  }
  if (i < whole) a = accumulate256<kind>(a, _mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i));
  float sum = sum256(_mm256_add_ps(a, b));
  for (i = whole; i < n; ++i) sum += kind == Kind::kDot ? q[i] * x[i] : (q[i] - x[i]) * (q[i] - x[i]);
  return sum;
}

template <Kind kind>
[[gnu::target("avx2,fma")]] void avx2_rows(const float* query, const float* rows, size_t count, size_t n, float* out) {
  for (size_t r = 0; r < count; ++r) out[r] = avx2_one<kind>(query, rows + r * n, n);
}

#endif

Isa detect_isa() {
#ifdef FACEKIT_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kBaseline;
}

const Isa kBestIsa = detect_isa();

template <Kind kind>
void rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out) {
  check(isa >= kBestIsa, "distance kernels", std::string("this CPU lacks ") + isa_name(isa));
#ifdef FACEKIT_X86_KERNELS
  if (isa == Isa::kAvx512) return avx512_rows<kind>(query, rows, count, n, out);
  if (isa == Isa::kAvx2) return avx2_rows<kind>(query, rows, count, n, out);
#endif
  generic_rows<kind>(query, rows, count, n, out);
}

template <Kind kind>
void rows(const float* query, const float* rows_, size_t count, size_t n, float* out) {
#ifdef FACEKIT_X86_KERNELS
  if (kBestIsa == Isa::kAvx512) return avx512_rows<kind>(query, rows_, count, n, out);
  if (kBestIsa == Isa::kAvx2) return avx2_rows<kind>(query, rows_, count, n, out);
#endif
  generic_rows<kind>(query, rows_, count, n, out);
}

}  // namespace

Isa best_isa() { return kBestIsa; }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2+fma";
    case Isa::kBaseline: return "baseline";
  }
  return "?";
}

void dot_rows(Isa isa, const float* query, const float* rows_, size_t count, size_t n, float* out) {
  rows<Kind::kDot>(isa, query, rows_, count, n, out);
}

void squared_l2_rows(Isa isa, const float* query, const float* rows_, size_t count, size_t n, float* out) {
  rows<Kind::kSquaredL2>(isa, query, rows_, count, n, out);
}

float dot(const float* a, const float* b, size_t n) {
  float out;
  rows<Kind::kDot>(a, b, 1, n, &out);
  return out;
}

float squared_l2(const float* a, const float* b, size_t n) {
  float out;
  rows<Kind::kSquaredL2>(a, b, 1, n, &out);
  return out;
}

void dot_rows(const float* query, const float* rows_, size_t count, size_t n, float* out) {
  rows<Kind::kDot>(query, rows_, count, n, out);
}

void squared_l2_rows(const float* query, const float* rows_, size_t count, size_t n, float* out) {
  rows<Kind::kSquaredL2>(query, rows_, count, n, out);
}

}  // namespace facekit::kernels
