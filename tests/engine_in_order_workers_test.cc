// run_in_order (src/engine/in_order_workers.h): results in input order
// whichever worker finishes first, one state per thread, the window bound,
// and errors from any of the three callbacks rethrown without a hang.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/in_order_workers.h"

namespace {

using facekit::run_in_order;

// The thread that made a state, so work() can check it runs there.
struct ThreadState {
  std::thread::id owner = std::this_thread::get_id();
};

TEST(RunInOrder, TakesEveryResultInInputOrderWhateverOrderTheyFinishIn) {
  constexpr size_t kCount = 60;
  constexpr size_t kWindow = 6;
  std::atomic<size_t> taken{0};
  std::atomic<int> states{0};
  std::atomic<bool> foreign_thread{false}, beyond_window{false};
  std::vector<size_t> order;
  std::set<std::thread::id> workers;
  std::mutex workers_mutex;
  run_in_order<ThreadState, size_t>(
      kCount, 3, kWindow,
      [&] {
        ++states;
        return ThreadState{};
      },
      [&](ThreadState& s, size_t i) {
        if (s.owner != std::this_thread::get_id()) foreign_thread = true;
        if (i >= taken.load() + kWindow) beyond_window = true;
        {
          const std::lock_guard lock(workers_mutex);
          workers.insert(std::this_thread::get_id());
        }
        // Early items take longest, so later ones finish first.
        std::this_thread::sleep_for(std::chrono::milliseconds(i % 3 == 0 ? 3 : 0));
        return i * i;
      },
      [&](size_t i, size_t&& square) {
        EXPECT_EQ(square, i * i);
        order.push_back(i);
        ++taken;
      });
  ASSERT_EQ(order.size(), kCount);
  for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(order[i], i);
  EXPECT_EQ(states.load(), 3) << "one state per worker";
  EXPECT_FALSE(foreign_thread) << "a state was used on another thread than its own";
  EXPECT_FALSE(beyond_window) << "a worker claimed an item more than the window ahead";
  EXPECT_EQ(workers.count(std::this_thread::get_id()), 0u) << "with 3 jobs the caller only takes";
}

TEST(RunInOrder, OneJobRunsOnTheCallingThreadAlternatingWorkAndTake) {
  std::string trace;
  const auto caller = std::this_thread::get_id();
  run_in_order<int, size_t>(
      3, 1, 8, [] { return 0; },
      [&](int&, size_t i) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        trace += "w" + std::to_string(i);
        return i;
      },
      [&](size_t i, size_t&&) { trace += "t" + std::to_string(i); });
  EXPECT_EQ(trace, "w0t0w1t1w2t2");
}

TEST(RunInOrder, NothingToDoMakesNoStateAndTakesNothing) {
  int states = 0, takes = 0;
  run_in_order<int, int>(
      0, 4, 8, [&] { return ++states; }, [](int&, size_t) { return 1; }, [&](size_t, int&&) { ++takes; });
  EXPECT_EQ(states, 0);
  EXPECT_EQ(takes, 0);
}

TEST(RunInOrder, NoMoreWorkersThanItems) {
  std::atomic<int> states{0};
  std::vector<int> taken;
  run_in_order<int, int>(
      2, 8, 16, [&] { return ++states; }, [](int&, size_t i) { return static_cast<int>(i) + 10; },
      [&](size_t, int&& v) { taken.push_back(v); });
  EXPECT_EQ(states.load(), 2);
  EXPECT_EQ(taken, (std::vector<int>{10, 11}));
}

TEST(RunInOrder, AWorkErrorIsRethrownAndNothingAfterItIsTaken) {
  size_t last_taken = 0;
  bool took_any = false;
  EXPECT_THROW((run_in_order<int, size_t>(
                   100, 2, 4, [] { return 0; },
                   [](int&, size_t i) {
                     if (i == 10) throw std::runtime_error("item 10 is bad");
                     return i;
                   },
                   [&](size_t i, size_t&&) { last_taken = i, took_any = true; })),
               std::runtime_error);
  if (took_any) {
    EXPECT_LT(last_taken, 10u);
  }
}

TEST(RunInOrder, AStateErrorIsRethrown) {
  std::atomic<int> made{0};
  EXPECT_THROW((run_in_order<int, int>(
                   10, 3, 8,
                   [&] {
                     if (++made == 2) throw std::runtime_error("no model for the second worker");
                     return 0;
                   },
                   [](int&, size_t) { return 1; }, [](size_t, int&&) {})),
               std::runtime_error);
}

TEST(RunInOrder, ATakeErrorStopsTheWorkersAndIsRethrown) {
  std::atomic<size_t> worked{0};
  EXPECT_THROW((run_in_order<int, int>(
                   1000, 2, 4, [] { return 0; },
                   [&](int&, size_t) {
                     ++worked;
                     return 1;
                   },
                   [](size_t i, int&&) {
                     if (i == 5) throw std::runtime_error("the gallery refused it");
                   })),
               std::runtime_error);
  // Items 0..5 were taken; workers may run at most the window (4) beyond.
  EXPECT_LE(worked.load(), 6u + 4u);
}

}  // namespace
