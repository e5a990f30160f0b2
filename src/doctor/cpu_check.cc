// CPU: the instruction sets the fast paths use. The distance kernels
// (src/gallery/kernels.cc) dispatch on AVX-512 / AVX2+FMA+F16C; the neural
// runtime's fast executor runs on oneDNN, which picks its own ISA at run time.
#include <oneapi/dnnl/dnnl.hpp>

#include "doctor/checks.h"
#include "gallery/kernels.h"

namespace facekit::doctor {
namespace {

const char* dnnl_isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::all: return "all";
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
  }
  return "unknown";
}

std::string cpu_flags() {
  std::string out;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const auto add = [&](bool has, const char* name) {
    if (has) out += (out.empty() ? "" : " ") + std::string(name);
  };
  add(__builtin_cpu_supports("sse4.1"), "sse4.1");
  add(__builtin_cpu_supports("avx"), "avx");
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(kernels::cpu_has_f16c(), "f16c");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512bw"), "avx512bw");
  add(__builtin_cpu_supports("avx512vnni"), "avx512vnni");
#endif
  return out.empty() ? "none of sse4.1 avx avx2 fma f16c avx512" : out;
}

}  // namespace

void check_cpu(std::vector<Finding>& out) {
  out.push_back({"cpu", "features", Verdict::kOk, cpu_flags()});
  const auto isa = kernels::best_isa();
  out.push_back({"cpu", "distance kernels", isa == kernels::Isa::kBaseline ? Verdict::kNote : Verdict::kOk,
                 std::string(kernels::isa_name(isa)) +
                     (isa == kernels::Isa::kBaseline ? " (no AVX2+FMA+F16C: portable code, slower search)" : "")});
  const dnnl::version_t* v = dnnl::version();
  const auto dnnl_isa = dnnl::get_effective_cpu_isa();
  const bool slow = dnnl_isa == dnnl::cpu_isa::all || dnnl_isa == dnnl::cpu_isa::sse41 || dnnl_isa == dnnl::cpu_isa::avx;
  out.push_back({"cpu", "neural network (oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                            std::to_string(v->patch) + ")",
                 slow ? Verdict::kNote : Verdict::kOk,
                 std::string(dnnl_isa_name(dnnl_isa)) + (slow ? " (below AVX2: the fast executor is slow here)" : "")});
}

}  // namespace facekit::doctor
