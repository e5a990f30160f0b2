#include "facekit/limits.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <mutex>
#include <set>
#include <thread>

#include "facekit/error.h"
#include "facekit/notice.h"

namespace facekit {

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int max_threads() { return kThreadsPerCore * available_cores(); }

namespace {

// Calls notice(line) the first time `key` is seen in this process.
void notice_once(const std::string& key, const std::string& line) {
  static std::mutex mutex;
  static std::set<std::string> told;
  {
    const std::lock_guard lock(mutex);
    if (!told.insert(key).second) return;
  }
  notice(line);
}

std::string mebibytes(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

size_t parse_bytes(const std::string& text) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used > 0 && text[0] != '-', "FACEKIT_MEMORY_BUDGET", "'" + text + "' is not a size (e.g. 2G, 512M)");
  const std::string suffix = text.substr(used);
  int shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else check(suffix.empty(), "FACEKIT_MEMORY_BUDGET", "'" + text + "' is not a size (e.g. 2G, 512M)");
  check(value < (1ull << (63 - shift)), "FACEKIT_MEMORY_BUDGET", "'" + text + "' is too large");
  return static_cast<size_t>(value << shift);
}

}  // namespace

size_t memory_budget() {
  if (const char* env = std::getenv("FACEKIT_MEMORY_BUDGET"); env && *env) return parse_bytes(env);
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  size_t budget = pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) / 2 : size_t{1} << 30;
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    budget = std::min(budget, static_cast<size_t>(limit.rlim_cur / 2));
  return budget;
}

int workers_within_budget(int requested, size_t bytes_per_worker, const std::string& option) {
  const size_t budget = memory_budget();
  const size_t fit = std::max<size_t>(1, budget / std::max<size_t>(1, bytes_per_worker));
  if (static_cast<size_t>(requested) <= fit) return std::max(1, requested);
  notice_once(option + "/memory", option + " " + std::to_string(requested) + ": " + std::to_string(fit) +
                                      " at a time, each ~" + mebibytes(bytes_per_worker) +
                                      ", fit the memory budget of " + mebibytes(budget) +
                                      " (FACEKIT_MEMORY_BUDGET)");
  return static_cast<int>(fit);
}

int thread_count(int requested, const std::string& option) {
  check(requested >= 0, option, std::to_string(requested) + " threads: must not be negative (0: all cores)");
  if (requested == 0) return available_cores();
  const int cap = max_threads();
  if (requested <= cap) return requested;
  notice_once(option, option + " " + std::to_string(requested) + ": capped at " + std::to_string(cap) + " (" +
                          std::to_string(kThreadsPerCore) + " × " + std::to_string(available_cores()) + " cores)");
  return cap;
}

}  // namespace facekit
