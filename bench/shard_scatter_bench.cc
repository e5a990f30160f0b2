// A simulation of an index sharded by id hash with scatter-gather top-k
// (docs/scaling.md): S shard processes on loopback, each holding the
// vectors whose hash(id) mod S is its number in an exact index and
// answering POST /search (the query's floats; its k nearest as (id,
// distance) pairs); a front that asks every shard at once and merges their
// answers into the global top k. Checks the merged answer against one exact
// index over every vector (identical for an exact index), and times both.
//   shard_scatter_bench VECTORS SHARDS [QUERIES] [K]
// Synthetic unit vectors, 128-D, generated in the same order by every
// process (each keeps its own).
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "facekit/index.h"

namespace {

constexpr int kDimension = 128;
using Clock = std::chrono::steady_clock;

uint64_t mixed(uint64_t x) {  // splitmix64's finaliser: the id hash
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void unit(std::vector<float>& v, std::mt19937& random) {
  std::normal_distribution<float> normal;
  double norm = 0;
  for (float& x : v) {
    x = normal(random);
    norm += x * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
}

// The vectors of shard `shard` of `shards` (every one for shards = 1).
std::unique_ptr<facekit::Index> build(int64_t vectors, int shard, int shards) {
  auto index = facekit::make_index("exact", kDimension, facekit::IndexSpace::kInnerProduct);
  std::mt19937 random(1);
  std::vector<float> v(kDimension), rows;
  std::vector<int64_t> labels;
  for (int64_t id = 0; id < vectors; ++id) {
    unit(v, random);
    if (static_cast<int>(mixed(static_cast<uint64_t>(id)) % static_cast<uint64_t>(shards)) != shard) continue;
    rows.insert(rows.end(), v.begin(), v.end());
    labels.push_back(id);
  }
  index->add(rows, labels);
  return index;
}

// A shard process: builds its part, listens on a free loopback port, writes
// the port to `pipe_out`, serves until killed.
[[noreturn]] void run_shard(int64_t vectors, int shard, int shards, int pipe_out) {
  const auto index = build(vectors, shard, shards);
  httplib::Server server;
  server.Post("/search", [&](const httplib::Request& request, httplib::Response& response) {
    int32_t k = 0;
    std::memcpy(&k, request.body.data(), sizeof k);
    std::vector<float> query(kDimension);
    std::memcpy(query.data(), request.body.data() + sizeof k, kDimension * sizeof(float));
    const auto found = index->search(query, k);
    response.set_content(std::string(reinterpret_cast<const char*>(found.data()), found.size() * sizeof(facekit::Neighbor)),
                         "application/octet-stream");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (write(pipe_out, &port, sizeof port) != sizeof port) _exit(1);
  server.listen_after_bind();
  _exit(0);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s VECTORS SHARDS [QUERIES] [K]\n", argv[0]);
    return 2;
  }
  const int64_t vectors = std::stoll(argv[1]);
  const int shards = std::stoi(argv[2]);
  const int queries = argc > 3 ? std::stoi(argv[3]) : 200;
  const int k = argc > 4 ? std::stoi(argv[4]) : 10;
  if (vectors < 1 || shards < 1 || shards > 64 || queries < 1 || k < 1) {
    std::fprintf(stderr, "VECTORS, QUERIES, K ≥ 1; SHARDS in [1, 64]\n");
    return 2;
  }
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::vector<pid_t> children;
  for (int s = 0; s < shards; ++s) {
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      run_shard(vectors, s, shards, fds[1]);
    }
    children.push_back(child);
  }
  const auto whole = build(vectors, 0, 1);
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int s = 0; s < shards; ++s) {
    int port = 0;
    if (read(fds[0], &port, sizeof port) != sizeof port) return 1;
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    clients.back()->set_keep_alive(true);
  }

  std::mt19937 random(2);
  std::vector<float> query(kDimension);
  std::vector<double> local_ms, scattered_ms;
  int agree = 0;
  for (int q = 0; q < queries; ++q) {
    unit(query, random);
    auto start = Clock::now();
    const auto want = whole->search(query, k);
    local_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());

    start = Clock::now();
    std::string body(sizeof(int32_t) + kDimension * sizeof(float), '\0');
    const int32_t k32 = k;
    std::memcpy(body.data(), &k32, sizeof k32);
    std::memcpy(body.data() + sizeof k32, query.data(), kDimension * sizeof(float));
    std::vector<std::future<std::string>> answers;
    for (auto& client : clients)
      answers.push_back(std::async(std::launch::async, [&client, &body] {
        const auto result = client->Post("/search", body, "application/octet-stream");
        return result && result->status == 200 ? result->body : std::string();
      }));
    std::vector<facekit::Neighbor> merged;
    for (auto& answer : answers) {
      const std::string bytes = answer.get();
      const auto* n = reinterpret_cast<const facekit::Neighbor*>(bytes.data());
      merged.insert(merged.end(), n, n + bytes.size() / sizeof(facekit::Neighbor));
    }
    std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.distance < b.distance; });
    if (merged.size() > static_cast<size_t>(k)) merged.resize(static_cast<size_t>(k));
    scattered_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    bool same = merged.size() == want.size();
    for (size_t i = 0; same && i < want.size(); ++i) same = merged[i].label == want[i].label;
    agree += same;
  }
  std::printf("%lld vectors × %d, %d shards, %d queries, top-%d: merged = one index in %d/%d; "
              "one process p50 %.2f ms p99 %.2f ms; scatter-gather p50 %.2f ms p99 %.2f ms\n",
              static_cast<long long>(vectors), kDimension, shards, queries, k, agree, queries,
              percentile(local_ms, 0.5), percentile(local_ms, 0.99), percentile(scattered_ms, 0.5),
              percentile(scattered_ms, 0.99));
  for (pid_t child : children) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  return agree == queries ? 0 : 1;
}
