// Distance kernels over float rows, compiled for several instruction sets
// and chosen at run time (the library must run on AVX2-only machines while
// using AVX-512 where present).
#pragma once

#include <cstddef>

namespace facekit::kernels {

float dot(const float* a, const float* b, size_t n);
float squared_l2(const float* a, const float* b, size_t n);

// The same from one query to `count` rows of `n` floats laid out back to
// back: out[i] = dot(query, rows + i·n) (or squared_l2). One dispatch for
// the whole block.
void dot_rows(const float* query, const float* rows, size_t count, size_t n, float* out);
void squared_l2_rows(const float* query, const float* rows, size_t count, size_t n, float* out);

// Instruction sets, best first. best_isa() is the one this CPU runs; the
// overloads taking an Isa run a given one (for tests: every supported
// kernel checked against the same reference) and throw Error for one the
// CPU lacks.
enum class Isa { kAvx512, kAvx2, kBaseline };
Isa best_isa();
const char* isa_name(Isa isa);
void dot_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out);
void squared_l2_rows(Isa isa, const float* query, const float* rows, size_t count, size_t n, float* out);

}  // namespace facekit::kernels
