// Thread counts are bounded in one place (limits.h): a request for 100000
// threads used to reach libgomp as is and crash it (SIGSEGV while creating
// threads, issue 14 item 1). Now the executor runs with max_threads() and
// the user is told once.
#include <gtest/gtest.h>

#include <random>

#include "facekit/error.h"
#include "facekit/limits.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"
#include "facekit/notice.h"
#include "random_tensor.h"
#include "testing.h"

namespace facekit::nn {
namespace {

// Collects the notices given while it lives.
struct Notices {
  std::vector<std::string> lines;
  NoticeHandler previous = set_notice_handler([this](const std::string& l) { lines.push_back(l); });
  ~Notices() { set_notice_handler(previous); }
};

TEST(ThreadLimit, ZeroIsAllCoresAndTheCapIsFourPerCore) {
  EXPECT_GE(available_cores(), 1);
  EXPECT_EQ(max_threads(), 4 * available_cores());
  EXPECT_EQ(thread_count(0, "t"), available_cores());
  EXPECT_EQ(thread_count(1, "t"), 1);
  EXPECT_EQ(thread_count(max_threads(), "t"), max_threads());
}

TEST(ThreadLimit, NegativeIsAnErrorNamingTheOption) {
  try {
    thread_count(-3, "--jobs");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--jobs"), std::string::npos) << e.what();
  }
}

TEST(ThreadLimit, OverTheCapIsCutAndToldOncePerOption) {
  Notices notices;
  EXPECT_EQ(thread_count(100000, "--test-a"), max_threads());
  EXPECT_EQ(thread_count(2000000000, "--test-a"), max_threads());
  ASSERT_EQ(notices.lines.size(), 1u);
  EXPECT_NE(notices.lines[0].find("--test-a 100000: capped at " + std::to_string(max_threads())), std::string::npos)
      << notices.lines[0];
  EXPECT_EQ(thread_count(65536, "--test-b"), max_threads());
  EXPECT_EQ(notices.lines.size(), 2u);
}

// The crash of issue 14: a convolution on oneDNN asked to use 100000 threads.
TEST(ThreadLimit, FastExecutorWithHundredThousandThreadsRunsAndMatchesReference) {
  Notices notices;
  Graph g;
  std::mt19937 rng(7);
  auto random = [&](Shape shape) { return testing::random_tensor(std::move(shape), rng); };
  const int x = g.add_value("x", DType::kFloat32, {1, 32, 32, 3});
  g.inputs.push_back(x);
  const int w = g.add_constant("w", random({8, 3, 3, 3}));
  const int b = g.add_constant("b", random({8}));
  const int y = g.add_value("y");
  Attributes attrs;
  attrs.set("strides", std::vector<int64_t>{1, 1});
  attrs.set("auto_pad", std::string("SAME_UPPER"));
  attrs.set("group", int64_t{1});
  attrs.set("layout", std::string("NHWC"));
  g.add_node("Conv", {x, w, b}, {y}, std::move(attrs));
  g.outputs = {y};
  g.finalize();

  const std::vector<Tensor> in = {random({1, 32, 32, 3})};
  const auto want = make_executor("reference", g)->run(in);
  const auto got = make_executor("fast", g, {.threads = 100000})->run(in);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LE(testing::relative_max_error(got[0], want[0]), 1e-4);
  EXPECT_FALSE(notices.lines.empty());
}

}  // namespace
}  // namespace facekit::nn
