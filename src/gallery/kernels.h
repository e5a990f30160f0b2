// Distance kernels over float rows, compiled for several instruction sets
// and chosen at run time (the library must run on AVX2-only machines while
// using AVX-512 where present).
#pragma once

#include <cstddef>

namespace facekit::kernels {

float dot(const float* a, const float* b, size_t n);
float squared_l2(const float* a, const float* b, size_t n);

}  // namespace facekit::kernels
