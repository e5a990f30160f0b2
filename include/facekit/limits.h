// Resource limits every part of facekit applies to counts and sizes a user
// chooses: how many threads a pool may start, how many photos may be in
// flight, how many pixels a computation may take on. One place, so that a
// new command or caller gets the same bounds and the same messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace facekit {

// The cores this process may run on (the affinity mask; at least 1).
int available_cores();

// The most threads any facekit pool starts: kThreadsPerCore × the cores.
// More buys nothing on CPU-bound work, and beyond some tens of thousands
// libgomp crashes (SIGSEGV in thread creation) and every thread's stack and
// scratch memory add up first.
constexpr int kThreadsPerCore = 4;
int max_threads();

// The thread count to run with when `requested` were asked for under the
// name `option` (e.g. "--threads", "--jobs", "ExecutorOptions::threads"):
// 0 means all cores (available_cores()); a count over max_threads() is cut
// to it, telling the user once per option through notice() (notice.h).
// Throws Error naming the option for a negative count.
int thread_count(int requested, const std::string& option);

// The memory (bytes) that work spread over workers may plan to use:
// $FACEKIT_MEMORY_BUDGET when set (bytes, or with a K, M or G suffix),
// else half of the physical memory, and never over half of the address
// space limit (RLIMIT_AS, `prlimit --as`) when one is set. Throws Error for
// a malformed $FACEKIT_MEMORY_BUDGET.
size_t memory_budget();

// How many of `requested` workers (≥ 1), each needing `bytes_per_worker`,
// fit in memory_budget(): at least 1, and fewer than requested when the
// budget is short, telling the user once per option through notice().
int workers_within_budget(int requested, size_t bytes_per_worker, const std::string& option);

}  // namespace facekit
