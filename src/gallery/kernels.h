// Distance kernels from one float query to rows of float32, float16 or
// int8 values, compiled for AVX-512, AVX2+FMA(+F16C) and portable C++ and chosen
// at run time (the library must run on AVX2-only machines while using
// AVX-512 where present).
#pragma once

#include <cstddef>
#include <cstdint>

namespace facekit::kernels {

float dot(const float* a, const float* b, size_t n);
float squared_l2(const float* a, const float* b, size_t n);

// From one query to `count` rows of `n` values laid out back to back:
// out[i] = dot(query, rows + i·n) (or squared_l2). Rows of uint16_t hold
// IEEE binary16 values; rows of int8_t hold integers (a quantised row: the
// caller applies its scale). One dispatch for the whole block.
void dot_rows(const float* query, const float* rows, size_t count, size_t n, float* out);
void squared_l2_rows(const float* query, const float* rows, size_t count, size_t n, float* out);
void dot_rows(const float* query, const uint16_t* rows, size_t count, size_t n, float* out);
void squared_l2_rows(const float* query, const uint16_t* rows, size_t count, size_t n, float* out);
void dot_rows(const float* query, const int8_t* rows, size_t count, size_t n, float* out);

// Instruction sets, best first. best_isa() is the one this CPU runs; the
// overloads taking an Isa run a given one (for tests: every supported
// kernel checked against the same reference) and throw Error for one the
// CPU lacks.
enum class Isa { kAvx512, kAvx2, kBaseline };
Isa best_isa();
// CPUID's F16C bit (clang 14's __builtin_cpu_supports has no "f16c"); false off x86.
bool cpu_has_f16c();
const char* isa_name(Isa isa);
void dot_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out);
void squared_l2_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out);
void dot_rows(Isa isa, const float* query, const uint16_t* rows, size_t count, size_t n, float* out);
void squared_l2_rows(Isa isa, const float* query, const uint16_t* rows, size_t count, size_t n, float* out);
void dot_rows(Isa isa, const float* query, const int8_t* rows, size_t count, size_t n, float* out);

// IEEE binary16 nearest to `f` (ties to even; beyond ±65504: ±infinity).
uint16_t float_to_half(float f);

}  // namespace facekit::kernels
