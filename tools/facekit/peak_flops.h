// The fp32 arithmetic peak of one core, measured rather than looked up: a
// loop of independent fused multiply-adds on the widest vectors the CPU has.
// `facekit bench` reports each model's GFLOP/s as a share of it.
#pragma once

#include <string>

namespace facekit::cli {

struct PeakFlops {
  double gflops = 0;   // 0 when the CPU has neither AVX-512 nor AVX2 with FMA
  std::string isa;     // "AVX-512", "AVX2+FMA" or ""
};

// Single-threaded; takes well under a second.
PeakFlops measure_peak_flops();

}  // namespace facekit::cli
