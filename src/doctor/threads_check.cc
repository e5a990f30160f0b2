// Threads: the cores the process may use and the OpenMP settings that steer
// oneDNN's threads (the fast executor), as the environment sets them.
#include <omp.h>

#include <cstdlib>
#include <thread>

#include "doctor/checks.h"

namespace facekit::doctor {
namespace {

std::string env_or_unset(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(name) + "=" + v : std::string(name) + " unset";
}

}  // namespace

void check_threads(std::vector<Finding>& out) {
  const int cores = omp_get_num_procs();
  out.push_back({"threads", "cores", Verdict::kOk,
                 std::to_string(cores) + " available to this process (" +
                     std::to_string(std::thread::hardware_concurrency()) + " in the machine)"});
  const int omp_threads = omp_get_max_threads();
  std::string detail = std::to_string(omp_threads) + " threads per parallel region; " + env_or_unset("OMP_NUM_THREADS");
  Verdict verdict = Verdict::kOk;
  if (omp_threads > cores) {
    verdict = Verdict::kNote;
    detail += " (more threads than cores: slower on a busy machine)";
  } else if (omp_threads < cores) {
    verdict = Verdict::kNote;
    detail += " (fewer threads than cores)";
  }
  out.push_back({"threads", "OpenMP", verdict, detail});
  // facekit sets GOMP_SPINCOUNT=2000 when neither is set (tools/facekit/main.cc says why).
  out.push_back({"threads", "OpenMP waiting", Verdict::kOk,
                 env_or_unset("OMP_WAIT_POLICY") + ", " + env_or_unset("GOMP_SPINCOUNT")});
}

}  // namespace facekit::doctor
