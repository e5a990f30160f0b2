// Identification at scale on synthetic unit vectors (128-D and 512-D; 10k,
// 100k and, for 128-D, 1M vectors): build time, memory, single-query latency
// p50/p99 of the exact, exact-fp16 and hnsw indexes, recall@1 against exact
// (hnsw; exact-fp16 too), and
// the exact scan's read rate beside a plain streaming read of memory.
//
//   build/gallery_bench [--benchmark_filter=hnsw] [--gallery_max=100000]
//                       [--gallery_hnsw_max=1000000]   (default 100000: hnsw at 1M builds for long)
// Counters: build_s, MiB (index memory), p50_us, p99_us, recall1 (against
// exact), GBps (exact scans: stored bytes per second at p50; memory: bytes
// read per second).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <thread>

#include "facekit/index.h"

namespace facekit {
namespace {

using Clock = std::chrono::steady_clock;

// Gaussian directions normalised to unit length: the worst case for
// approximate search (no clusters to exploit).
std::vector<float> unit_rows(size_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> rows(n * static_cast<size_t>(dim));
  for (size_t i = 0; i < n; ++i) {
    float* r = rows.data() + i * dim;
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      r[j] = normal(rng);
      norm += r[j] * double{r[j]};
    }
    const auto inv = static_cast<float>(1 / std::sqrt(norm));
    for (int j = 0; j < dim; ++j) r[j] *= inv;
  }
  return rows;
}

// Queries as faces are: a stored vector plus noise, renormalised.
std::vector<float> near_queries(const std::vector<float>& rows, size_t n, int dim, size_t count) {
  auto noise = unit_rows(count, dim, 99);
  std::mt19937 rng(5);
  std::vector<float> q(count * dim);
  for (size_t i = 0; i < count; ++i) {
    const float* base = rows.data() + (rng() % n) * dim;
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      q[i * dim + j] = base[j] + 0.5f * noise[i * dim + j];
      norm += q[i * dim + j] * double{q[i * dim + j]};
    }
    for (int j = 0; j < dim; ++j) q[i * dim + j] /= static_cast<float>(std::sqrt(norm));
  }
  return q;
}

struct Built {
  std::unique_ptr<Index> index;
  double build_seconds = 0;
};

// Data and exact answers are shared between the benchmarks of one size.
struct Dataset {
  std::vector<float> rows, queries;
  std::vector<int64_t> exact_top1;
};

constexpr size_t kQueries = 500;

Dataset& dataset(size_t n, int dim) {
  static std::map<std::pair<size_t, int>, std::unique_ptr<Dataset>> cache;
  auto& slot = cache[{n, dim}];
  if (!slot) {
    cache.clear();  // one size at a time in memory
    auto& fresh = cache[{n, dim}];
    fresh = std::make_unique<Dataset>();
    fresh->rows = unit_rows(n, dim, 1);
    fresh->queries = near_queries(fresh->rows, n, dim, kQueries);
    return *fresh;
  }
  return *slot;
}

Built build(const std::string& kind, const Dataset& data, size_t n, int dim) {
  IndexOptions options;
  options.threads = 0;  // all cores, as `facekit enroll` builds
  Built b;
  const auto start = Clock::now();
  b.index = make_index(kind, dim, IndexSpace::kInnerProduct, options);
  std::vector<int64_t> labels(n);
  std::iota(labels.begin(), labels.end(), 0);
  b.index->add(data.rows, labels);
  b.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return b;
}

void search_benchmark(benchmark::State& state, const std::string& kind, size_t n, int dim) {
  Dataset& data = dataset(n, dim);
  const Built built = build(kind, data, n, dim);
  if (data.exact_top1.empty()) {  // exact answers, for recall
    const Built exact = kind == "exact" ? Built{} : build("exact", data, n, dim);
    const Index& e = kind == "exact" ? *built.index : *exact.index;
    for (size_t q = 0; q < kQueries; ++q)
      data.exact_top1.push_back(e.search({data.queries.data() + q * dim, static_cast<size_t>(dim)}, 1)[0].label);
  }
  std::vector<double> micros;
  size_t q = 0, hits = 0;
  for (auto _ : state) {
    const std::span<const float> query(data.queries.data() + (q % kQueries) * dim, static_cast<size_t>(dim));
    const auto start = Clock::now();
    const auto found = built.index->search(query, 10);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    benchmark::DoNotOptimize(found.data());
    if (q < kQueries) hits += found[0].label == data.exact_top1[q];
    ++q;
  }
  std::sort(micros.begin(), micros.end());
  const auto percentile = [&](double p) { return micros[std::min(micros.size() - 1, static_cast<size_t>(p * micros.size()))]; };
  state.counters["build_s"] = built.build_seconds;
  state.counters["MiB"] = static_cast<double>(built.index->memory_bytes()) / (1 << 20);
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  if (kind != "exact") state.counters["recall1"] = static_cast<double>(hits) / std::min(q, kQueries);
  if (kind != "hnsw")  // bytes of stored vectors scanned per second
    state.counters["GBps"] = static_cast<double>(built.index->memory_bytes()) / (percentile(0.50) * 1e3);
}

// A streaming read of a 1 GiB array, one thread: the ceiling for one exact query.
void memory_bandwidth(benchmark::State& state) {
  std::vector<float> big((1ull << 30) / sizeof(float), 1.f);
  double fastest = INFINITY;
  for (auto _ : state) {
    const auto start = Clock::now();
    float acc[16] = {};
    for (size_t i = 0; i < big.size(); i += 16)
      for (int j = 0; j < 16; ++j) acc[j] += big[i + j];
    benchmark::DoNotOptimize(acc);
    fastest = std::min(fastest, std::chrono::duration<double>(Clock::now() - start).count());
  }
  state.counters["GBps"] = static_cast<double>(big.size() * sizeof(float)) / fastest / 1e9;
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  size_t max_n = 1'000'000, hnsw_max = 100'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--gallery_max=", 14) == 0) max_n = std::stoul(argv[i] + 14);
    if (std::strncmp(argv[i], "--gallery_hnsw_max=", 19) == 0) hnsw_max = std::stoul(argv[i] + 19);
  }
  benchmark::RegisterBenchmark("memory_read_1GiB", facekit::memory_bandwidth)->Unit(benchmark::kMillisecond)->Iterations(5);
  for (int dim : {128, 512})
    for (size_t n : {10'000ul, 100'000ul, 1'000'000ul}) {
      // 1M × 512-D is 2 GiB of vectors (and an hnsw build of hours on two cores): left out.
      if (n > max_n || (n == 1'000'000 && dim == 512)) continue;
      for (const std::string kind : {"exact", "exact-fp16", "hnsw"}) {
        if (kind == "hnsw" && n > hnsw_max) continue;
        const std::string name = kind + "/" + std::to_string(dim) + "D/" + std::to_string(n);
        const int64_t iterations =
            kind == "hnsw" ? 2000 : std::max<int64_t>(20, static_cast<int64_t>(2e9 / (n * dim * 4)));
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { facekit::search_benchmark(s, kind, n, dim); })
            ->Unit(benchmark::kMicrosecond)
            ->Iterations(iterations);
      }
    }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
