// Work spread over threads whose results are taken in input order: item i's
// result reaches the calling thread only after those of items 0..i-1,
// whichever worker finishes first, so what the caller does with them
// (reports, writes) is exactly what a sequential loop would do.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace facekit {

// Computes work(state, i) for every i in [0, count) on `jobs` threads (no
// more than there are items) and calls take(i, result) on the calling
// thread for i = 0, 1, ... in order. Each thread first makes its own state
// with make_state() on that thread (for what is not thread-safe, such as
// models); nothing is made when there is nothing to do. With jobs ≤ 1
// everything runs on the calling thread, work and take alternating as in a
// plain loop.
// Workers claim at most `window` (at least `jobs`) items beyond the last one
// taken, which bounds the results held at once. The first exception from
// make_state, work or take stops the workers after their current item and
// is rethrown here once they have all ended.
template <class State, class Result>
void run_in_order(size_t count, int jobs, size_t window, const std::function<State()>& make_state,
                  const std::function<Result(State&, size_t)>& work,
                  const std::function<void(size_t, Result&&)>& take) {
  if (count == 0) return;
  if (static_cast<size_t>(std::max(jobs, 1)) > count) jobs = static_cast<int>(count);
  if (jobs <= 1) {
    State state = make_state();
    for (size_t i = 0; i < count; ++i) take(i, work(state, i));
    return;
  }
  window = std::max(window, static_cast<size_t>(jobs));
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<Result>> slots(window);  // item i waits in slots[i % window]
  size_t next = 0;   // the next item to claim
  size_t taken = 0;  // items handed to take()
  bool stop = false;
  std::exception_ptr failure;
  auto fail = [&](std::exception_ptr e) {
    const std::lock_guard lock(mutex);
    if (!failure) failure = e;
    stop = true;
    changed.notify_all();
  };
  auto worker = [&] {
    try {
      State state = make_state();
      for (;;) {
        size_t i;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stop || next >= count || next < taken + window; });
          if (stop || next >= count) return;
          i = next++;
        }
        Result result = work(state, i);
        const std::lock_guard lock(mutex);
        slots[i % window] = std::move(result);  // free: item i − window was taken
        changed.notify_all();
      }
    } catch (...) {
      fail(std::current_exception());
    }
  };

  std::vector<std::thread> threads;
  try {
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
    while (taken < count) {
      std::optional<Result> result;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || slots[taken % window].has_value(); });
        if (stop) break;
        result.swap(slots[taken % window]);
      }
      take(taken, std::move(*result));
      const std::lock_guard lock(mutex);
      ++taken;
      changed.notify_all();
    }
  } catch (...) {
    fail(std::current_exception());
  }
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace facekit
