#include "gallery/kernels.h"

#include <cstring>
#include <string>

#include "facekit/error.h"
#include "nn/half.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define FACEKIT_X86_KERNELS 1
#endif

namespace facekit::kernels {
namespace {

enum class Kind { kDot, kSquaredL2 };

inline float value(float x) { return x; }
inline float value(uint16_t h) { return nn::half_to_float(h); }
inline float value(int8_t i) { return static_cast<float>(i); }

template <Kind kind>
inline float term(float q, float x) {
  return kind == Kind::kDot ? q * x : (q - x) * (q - x);
}

// Portable version: 16 independent partial sums (vectorisable without
// reassociation), summed pairwise.
template <Kind kind, typename T>
void generic_rows(const float* query, const T* rows, size_t count, size_t n, float* out) {
  constexpr size_t kLanes = 16;
  for (size_t r = 0; r < count; ++r) {
    const T* x = rows + r * n;
    float acc[kLanes] = {};
    for (size_t i = 0; i < n; ++i) acc[i % kLanes] += term<kind>(query[i], value(x[i]));
    for (size_t width = kLanes / 2; width > 0; width /= 2)
      for (size_t j = 0; j < width; ++j) acc[j] += acc[j + width];
    out[r] = acc[0];
  }
}

#ifdef FACEKIT_X86_KERNELS
// AVX-512: four rows per pass (four independent FMA chains; the query is
// loaded once for all four); the ragged end masked (float) or staged through
// a zeroed buffer (half).
[[gnu::target("avx512f")]] inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
// (The zero-masked forms: GCC 12's plain _mm512_cvtph_ps, _mm512_cvtepi8_epi32
// and _mm512_cvtepi32_ps trip -Wmaybe-uninitialized in its own header.)
[[gnu::target("avx512f")]] inline __m512 load16(const uint16_t* p) {
  return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
[[gnu::target("avx512f")]] inline __m512 load16(const int8_t* p) {
  const __m512i widened = _mm512_maskz_cvtepi8_epi32(0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm512_maskz_cvtepi32_ps(0xffff, widened);
}
[[gnu::target("avx512f")]] inline __m512 tail16(const float* p, size_t m) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << m) - 1), p);
}
[[gnu::target("avx512f")]] inline __m512 tail16(const uint16_t* p, size_t m) {
  alignas(32) uint16_t staged[16] = {};
  std::memcpy(staged, p, m * sizeof(uint16_t));
  return load16(staged);
}
[[gnu::target("avx512f")]] inline __m512 tail16(const int8_t* p, size_t m) {
  alignas(16) int8_t staged[16] = {};
  std::memcpy(staged, p, m);
  return load16(staged);
}

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

template <Kind kind, typename T>
[[gnu::target("avx512f")]] void avx512_rows(const float* query, const T* rows, size_t count, size_t n, float* out) {
  const size_t whole = n & ~size_t{15}, rest = n - whole;
  size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const T* x = rows + r * n;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < whole; i += 16) {
      const __m512 q = _mm512_loadu_ps(query + i);
      a0 = accumulate512<kind>(a0, q, load16(x + i));
      a1 = accumulate512<kind>(a1, q, load16(x + n + i));
      a2 = accumulate512<kind>(a2, q, load16(x + 2 * n + i));
      a3 = accumulate512<kind>(a3, q, load16(x + 3 * n + i));
    }
    if (rest) {
      const __m512 q = tail16(query + whole, rest);
      a0 = accumulate512<kind>(a0, q, tail16(x + whole, rest));
      a1 = accumulate512<kind>(a1, q, tail16(x + n + whole, rest));
      a2 = accumulate512<kind>(a2, q, tail16(x + 2 * n + whole, rest));
      a3 = accumulate512<kind>(a3, q, tail16(x + 3 * n + whole, rest));
    }
    out[r] = sum512(a0);
    out[r + 1] = sum512(a1);
    out[r + 2] = sum512(a2);
    out[r + 3] = sum512(a3);
  }
  for (; r < count; ++r) {
    const T* x = rows + r * n;
    __m512 a = _mm512_setzero_ps();
    for (size_t i = 0; i < whole; i += 16) a = accumulate512<kind>(a, _mm512_loadu_ps(query + i), load16(x + i));
    if (rest) a = accumulate512<kind>(a, tail16(query + whole, rest), tail16(x + whole, rest));
    out[r] = sum512(a);
  }
}

// AVX2 + FMA (+ F16C for half rows; int8 rows widened to int32, then
// converted): 8 lanes, two chains, the ragged end in
// scalar code.
[[gnu::target("avx2,fma,f16c")]] inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
[[gnu::target("avx2,fma,f16c")]] inline __m256 load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
[[gnu::target("avx2,fma,f16c")]] inline __m256 load8(const int8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

template <Kind kind>
[[gnu::target("avx2,fma,f16c")]] inline __m256 accumulate256(__m256 acc, __m256 q, __m256 x) {
  if constexpr (kind == Kind::kDot) return _mm256_fmadd_ps(q, x, acc);
  const __m256 d = _mm256_sub_ps(q, x);
  return _mm256_fmadd_ps(d, d, acc);
}

[[gnu::target("avx2,fma,f16c")]] inline float sum256(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

template <Kind kind, typename T>
[[gnu::target("avx2,fma,f16c")]] void avx2_rows(const float* query, const T* rows, size_t count, size_t n,
                                                 float* out) {
  const size_t whole = n & ~size_t{7};
  for (size_t r = 0; r < count; ++r) {
    const T* x = rows + r * n;
    __m256 a = _mm256_setzero_ps(), b = a;
    size_t i = 0;
    for (; i + 16 <= whole; i += 16) {
      a = accumulate256<kind>(a, _mm256_loadu_ps(query + i), load8(x + i));
      b = accumulate256<kind>(b, _mm256_loadu_ps(query + i + 8), load8(x + i + 8));
    }
    if (i < whole) a = accumulate256<kind>(a, _mm256_loadu_ps(query + i), load8(x + i));
    float sum = sum256(_mm256_add_ps(a, b));
    for (i = whole; i < n; ++i) sum += term<kind>(query[i], value(x[i]));
    out[r] = sum;
  }
}
#endif

}  // namespace

bool cpu_has_f16c() {
#ifdef FACEKIT_X86_KERNELS
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
#else
  return false;
#endif
}

namespace {

Isa detect_isa() {
#ifdef FACEKIT_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c())
    return Isa::kAvx2;
#endif
  return Isa::kBaseline;
}

const Isa kBestIsa = detect_isa();

template <Kind kind, typename T>
void rows_with(Isa isa, const float* query, const T* rows, size_t count, size_t n, float* out) {
#ifdef FACEKIT_X86_KERNELS
  if (isa == Isa::kAvx512) return avx512_rows<kind>(query, rows, count, n, out);
  if (isa == Isa::kAvx2) return avx2_rows<kind>(query, rows, count, n, out);
#endif
  generic_rows<kind>(query, rows, count, n, out);
}

template <Kind kind, typename T>
void checked_rows(Isa isa, const float* query, const T* rows, size_t count, size_t n, float* out) {
  check(isa >= kBestIsa, "distance kernels", std::string("this CPU lacks ") + isa_name(isa));
  rows_with<kind>(isa, query, rows, count, n, out);
}

}  // namespace

Isa best_isa() { return kBestIsa; }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2+fma+f16c";
    case Isa::kBaseline: return "baseline";
  }
  return "?";
}

float dot(const float* a, const float* b, size_t n) {
  float out;
  rows_with<Kind::kDot>(kBestIsa, a, b, 1, n, &out);
  return out;
}

float squared_l2(const float* a, const float* b, size_t n) {
  float out;
  rows_with<Kind::kSquaredL2>(kBestIsa, a, b, 1, n, &out);
  return out;
}

void dot_rows(const float* query, const float* rows, size_t count, size_t n, float* out) {
  rows_with<Kind::kDot>(kBestIsa, query, rows, count, n, out);
}
void squared_l2_rows(const float* query, const float* rows, size_t count, size_t n, float* out) {
  rows_with<Kind::kSquaredL2>(kBestIsa, query, rows, count, n, out);
}
void dot_rows(const float* query, const uint16_t* rows, size_t count, size_t n, float* out) {
  rows_with<Kind::kDot>(kBestIsa, query, rows, count, n, out);
}
void squared_l2_rows(const float* query, const uint16_t* rows, size_t count, size_t n, float* out) {
  rows_with<Kind::kSquaredL2>(kBestIsa, query, rows, count, n, out);
}
void dot_rows(const float* query, const int8_t* rows, size_t count, size_t n, float* out) {
  rows_with<Kind::kDot>(kBestIsa, query, rows, count, n, out);
}

void dot_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out) {
  checked_rows<Kind::kDot>(isa, query, rows, count, n, out);
}
void squared_l2_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out) {
  checked_rows<Kind::kSquaredL2>(isa, query, rows, count, n, out);
}
void dot_rows(Isa isa, const float* query, const uint16_t* rows, size_t count, size_t n, float* out) {
  checked_rows<Kind::kDot>(isa, query, rows, count, n, out);
}
void squared_l2_rows(Isa isa, const float* query, const uint16_t* rows, size_t count, size_t n, float* out) {
  checked_rows<Kind::kSquaredL2>(isa, query, rows, count, n, out);
}
void dot_rows(Isa isa, const float* query, const int8_t* rows, size_t count, size_t n, float* out) {
  checked_rows<Kind::kDot>(isa, query, rows, count, n, out);
}

uint16_t float_to_half(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u)  // infinity, NaN (kept quiet)
    return static_cast<uint16_t>(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u));
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
  if (magnitude < 0x38800000u) {  // half subnormal or zero: scale by 2^24, round to nearest even
    float scaled;
    const uint32_t positive = magnitude;
    std::memcpy(&scaled, &positive, sizeof scaled);
    scaled *= 16777216.f;
    const auto q = static_cast<uint32_t>(scaled);
    const float remainder = scaled - static_cast<float>(q);
    const uint32_t rounded = remainder > 0.5f || (remainder == 0.5f && (q & 1u)) ? q + 1 : q;
    return static_cast<uint16_t>(sign | rounded);
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  const uint32_t rebased = magnitude - 0x38000000u;
  const uint32_t kept = rebased >> 13, dropped = rebased & 0x1fffu;
  const uint32_t rounded = dropped > 0x1000u || (dropped == 0x1000u && (kept & 1u)) ? kept + 1 : kept;
  return static_cast<uint16_t>(sign | rounded);
}

}  // namespace facekit::kernels
