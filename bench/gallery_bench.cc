// Identification at scale on synthetic unit vectors, 128-D and 512-D, 10k,
// 100k and 1M enrolled people: build time, memory, single-query latency
// p50/p99 (k = 10) of exact, exact-fp16, exact-int8, hnsw and (when built
// with FAISS) faiss-ivf-flat, faiss-ivf-pq and faiss-hnsw, recall@1 against
// exact, and each exact scan's read rate as a share of a plain streaming
// read of a buffer of the same size measured in the same run.
//
// --gallery_streamed=N (e.g. 10000000) adds one memory-light run of
// faiss-ivf-pq at N × 128-D: the vectors are generated and added in chunks
// (no float copy of all N is kept), the ground truth is an exact scan of
// each chunk for every query as it passes, and the process's peak resident
// memory is reported beside the index's own count.
//
// Data (--gallery_data):
//   faces    (default) people are points around 1 in 100 "look-alike group"
//            centres; an enrolled photo and a query are each a person plus
//            per-photo noise. Cosine similarities come out as for a face
//            recognizer: same person ≈ 0.7, same group ≈ 0.27, others ≈ 0.
//   uniform  Gaussian directions, queries = a stored vector plus noise: no
//            structure at all, the hard case for approximate search.
//
//   build/gallery_bench [--gallery_data=faces|uniform] [--gallery_max=1000000]
//     [--gallery_dims=128,512] [--gallery_budget_s=5400] [--hnsw_m=16]
//     [--hnsw_ef_construction=100] [--hnsw_ef_search=64] [--gallery_queries=500]
//     [--gallery_threads=0] [--gallery_kinds=exact,hnsw,...] [--faiss_nlist=0]
//     [--faiss_nprobe=0] [--faiss_pq_m=0] [--faiss_rerank=64]
//     [--faiss_nprobe_sweep=64,128] [--gallery_streamed=0] [--streamed_nlist=4096]
//     [--streamed_nprobe=64]
//     [--benchmark_filter=...]
// Sizes run smallest first (1M last); a benchmark that would start after
// the time budget is skipped. Indexes build on --gallery_threads threads
// (0: all cores), which also compute the ground truth. A markdown table of
// every row goes to stderr as it completes (docs/gallery.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <sys/resource.h>

#include <fstream>

#include "facekit/index.h"
#include "gallery/kernels.h"
#ifdef FACEKIT_HAVE_FAISS
#include "gallery/faiss/faiss_index.h"
#endif

namespace facekit {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::string data = "faces";
  IndexOptions hnsw{.hnsw_m = 16, .hnsw_ef_construction = 100, .hnsw_ef_search = 64};
  double budget_seconds = 5400;
  size_t queries = 500;
  int threads = 0;  // building and ground truth; 0: all cores
  std::vector<std::string> kinds;
  size_t streamed = 0;
  IndexOptions streamed_options{.faiss_nlist = 4096, .faiss_nprobe = 64};
  std::vector<int> nprobe_sweep;  // faiss-ivf-*: more rows from the same index
} settings;

const Clock::time_point kStart = Clock::now();
constexpr size_t kGroupSize = 100;  // people per look-alike group (faces data)

unsigned cores() {
  return settings.threads > 0 ? static_cast<unsigned>(settings.threads) : std::max(1u, std::thread::hardware_concurrency());
}

// Resident memory of the process now and at its peak, MiB.
double resident_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  return NAN;
}
double peak_resident_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}

// Runs job(i) for i in [0, n) on every core.
void parallel_for(size_t n, const std::function<void(size_t)>& job) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < n;) job(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < cores(); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// out = unit(base + sigma · g), g Gaussian with E|g|² = 1, from its own
// seed (so a person's vector can be regenerated for their queries).
void noisy_unit(const float* base, float sigma, uint64_t seed, int dim, float* out) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f / std::sqrt(static_cast<float>(dim)));
  double norm = 0;
  for (int j = 0; j < dim; ++j) {
    out[j] = (base ? base[j] : 0.f) + sigma * normal(rng);
    norm += double{out[j]} * out[j];
  }
  const auto inverse = static_cast<float>(1 / std::sqrt(norm));
  for (int j = 0; j < dim; ++j) out[j] *= inverse;
}

uint64_t seed_of(uint64_t stream, uint64_t i) { return stream * 0x9E3779B97F4A7C15ull ^ (i + 1) * 0xBF58476D1CE4E5B9ull; }

// Person i of the faces data: their group's centre plus identity noise.
std::vector<float> person(size_t i, int dim) {
  std::vector<float> group(dim), out(dim);
  noisy_unit(nullptr, 1.f, seed_of(1, i / kGroupSize), dim, group.data());
  noisy_unit(group.data(), 1.25f, seed_of(2, i), dim, out.data());
  return out;
}

// Photo `photo` of person i (faces: the person plus photo noise); uniform:
// the enrolled vector is a random direction, a query that plus noise.
void photo_of(size_t i, int photo, int dim, float* out) {
  if (settings.data == "uniform") {
    std::vector<float> stored(dim);
    noisy_unit(nullptr, 1.f, seed_of(3, i), dim, stored.data());
    if (photo == 0) std::copy(stored.begin(), stored.end(), out);
    else noisy_unit(stored.data(), 0.5f, seed_of(4 + photo, i), dim, out);
    return;
  }
  noisy_unit(person(i, dim).data(), 0.65f, seed_of(4 + photo, i), dim, out);
}

struct Dataset {
  size_t n = 0;
  int dim = 0;
  std::vector<float> rows, queries;  // one enrolled photo per person; a new photo of some of them
  std::vector<Neighbor> exact_top1;  // per query
  std::span<const float> query(size_t q) const { return {queries.data() + q * dim, static_cast<size_t>(dim)}; }
};

// One size in memory at a time.
Dataset& dataset(size_t n, int dim) {
  static std::unique_ptr<Dataset> current;
  if (current && current->n == n && current->dim == dim) return *current;
  current.reset();
  current = std::make_unique<Dataset>();
  current->n = n;
  current->dim = dim;
  current->rows.resize(n * dim);
  current->queries.resize(settings.queries * dim);
  parallel_for(n, [&](size_t i) { photo_of(i, 0, dim, current->rows.data() + i * dim); });
  parallel_for(settings.queries, [&](size_t q) { photo_of(q * 7919 % n, 1, dim, current->queries.data() + q * dim); });
  return *current;
}

// Top-1 of every query, on every core.
std::vector<Neighbor> top1(const Index& index, const Dataset& data) {
  std::vector<Neighbor> out(settings.queries);
  parallel_for(settings.queries, [&](size_t q) { out[q] = index.search(data.query(q), 1).at(0); });
  return out;
}

std::unique_ptr<Index> build(const std::string& kind, const Dataset& data, double* seconds) {
  IndexOptions options = settings.hnsw;
  options.threads = settings.threads;
  const auto start = Clock::now();
  auto index = make_index(kind, data.dim, IndexSpace::kInnerProduct, options);
  std::vector<int64_t> labels(data.n);
  std::iota(labels.begin(), labels.end(), 0);
  index->add(data.rows, labels);
  *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return index;
}

// Bytes one exact query reads: the rows (and exact-int8's scale per row).
double bytes_scanned(const std::string& kind, size_t n, int dim) {
  const double per_value = kind == "exact" ? 4 : kind == "exact-fp16" ? 2 : 1;
  return static_cast<double>(n) * (dim * per_value + (kind == "exact-int8" ? 4 : 0));
}

// A plain streaming read of `bytes` (one thread, the widest loads the CPU
// has), GB/s of the fastest of `passes`: the ceiling for one exact query
// over that many bytes.
[[gnu::target_clones("avx512f", "avx2", "default")]] double streaming_read_gbps(double bytes, size_t passes) {
  std::vector<uint64_t> buffer(static_cast<size_t>(bytes) / sizeof(uint64_t) + 1, 1);
  double fastest = INFINITY;
  for (size_t pass = 0; pass < passes; ++pass) {
    const auto start = Clock::now();
    uint64_t acc[8] = {};
    for (size_t i = 0; i + 8 <= buffer.size(); i += 8)
      for (int j = 0; j < 8; ++j) acc[j] ^= buffer[i + j];
    benchmark::DoNotOptimize(acc);
    fastest = std::min(fastest, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return static_cast<double>(buffer.size() * sizeof(uint64_t)) / fastest / 1e9;
}

double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Row {
  std::string kind;
  int dim = 0;
  size_t n = 0;
  double build_s = 0, mib = 0, p50_us = 0, p99_us = 0, cpu_us = 0, load = 0, rss_mib = NAN;
  double recall1 = NAN, max_error = NAN, gbps = NAN, read_gbps = NAN;  // where they apply
  size_t samples = 0;
};

// Wall and thread-CPU time of timed calls.
class Latency {
 public:
  template <typename F>
  void time(F&& call) {
    const auto start = Clock::now();
    call();
    micros_.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  double fastest_us() const { return *std::min_element(micros_.begin(), micros_.end()); }
  // p50, p99, mean CPU time and the sample count into `row`.
  void fill(Row& row) {
    row.cpu_us = (thread_cpu_seconds() - cpu_start_) * 1e6 / static_cast<double>(micros_.size());
    std::sort(micros_.begin(), micros_.end());
    const auto percentile = [&](double p) { return micros_[std::min(micros_.size() - 1, static_cast<size_t>(p * micros_.size()))]; };
    row.p50_us = percentile(0.50);
    row.p99_us = percentile(0.99);
    row.samples = micros_.size();
  }

 private:
  std::vector<double> micros_;
  double cpu_start_ = thread_cpu_seconds();
};

// Three significant digits, without exponents.
std::string three_digits(double x, const char* unit) {
  char text[32];
  std::snprintf(text, sizeof text, x < 10 ? "%.2f %s" : x < 100 ? "%.1f %s" : "%.0f %s", x, unit);
  return text;
}

std::string human_time(double micros) {
  if (micros < 1000) return three_digits(micros, "µs");
  if (micros < 1e6) return three_digits(micros / 1e3, "ms");
  return three_digits(micros / 1e6, "s");
}

// The markdown table (docs/gallery.md), a row on stderr as each completes:
// a run cut short keeps what it measured.
void print_header() {
  std::fprintf(stderr,
               "| index | dim | people | build | memory | process RSS | p50 | p99 | CPU/query | recall@1 | top-1 Δd | scan GB/s, fastest query (share of read) | load |\n"
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
}

void print_row(const Row& r) {
  char recall[16] = "—", error[16] = "—", scan[48] = "—";
  if (!std::isnan(r.recall1)) std::snprintf(recall, sizeof recall, "%.3f", r.recall1);
  if (!std::isnan(r.max_error)) std::snprintf(error, sizeof error, "%.1e", r.max_error);
  if (!std::isnan(r.gbps)) std::snprintf(scan, sizeof scan, "%.1f (%.0f%% of %.1f)", r.gbps, 100 * r.gbps / r.read_gbps, r.read_gbps);
  const std::string people = r.n >= 1'000'000 ? std::to_string(r.n / 1'000'000) + "M" : std::to_string(r.n / 1000) + "k";
  const std::string rss = std::isnan(r.rss_mib) ? "—" : three_digits(r.rss_mib, "MiB");
  std::fprintf(stderr, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f |\n", r.kind.c_str(), r.dim,
               people.c_str(), human_time(r.build_s * 1e6).c_str(), three_digits(r.mib, "MiB").c_str(), rss.c_str(), human_time(r.p50_us).c_str(),
               human_time(r.p99_us).c_str(), human_time(r.cpu_us).c_str(), recall, error, scan, r.load);
}

// hnsw at larger ef_search from the same graph: hnswlib searches with
// max(ef_search, k) candidates, so the nearest of search(query, k = ef) is
// what an index built with ef_search = ef answers. One pass over the queries.
void ef_sweep(const Index& index, const Dataset& data, const Row& base) {
  for (int ef = 2 * settings.hnsw.hnsw_ef_search; ef <= 4 * settings.hnsw.hnsw_ef_search; ef *= 2) {
    Row row = base;
    row.kind = "hnsw ef " + std::to_string(ef);
    Latency latency;
    size_t hits = 0;
    for (size_t q = 0; q < settings.queries; ++q)
      latency.time([&] { hits += index.search(data.query(q), ef).at(0).label == data.exact_top1[q].label; });
    latency.fill(row);
    row.recall1 = static_cast<double>(hits) / settings.queries;
    print_row(row);
  }
}

// faiss-ivf-* at each --faiss_nprobe_sweep value from the same index: a row
// each, recall@1 against `truth`, latency over the queries (k = 10).
void nprobe_sweep(Index& index, const std::vector<float>& queries, const std::vector<Neighbor>& truth, const Row& base) {
#ifdef FACEKIT_HAVE_FAISS
  const size_t d = static_cast<size_t>(base.dim);
  for (int nprobe : settings.nprobe_sweep) {
    set_faiss_nprobe(index, nprobe);
    Row row = base;
    row.kind = index.name() + " nprobe " + std::to_string(nprobe) + (base.kind.find("streamed") != std::string::npos ? " (streamed)" : "");
    size_t hits = 0;
    for (size_t q = 0; q < settings.queries; ++q)
      hits += index.search({queries.data() + q * d, d}, 1).at(0).label == truth[q].label;
    row.recall1 = static_cast<double>(hits) / settings.queries;
    Latency latency;
    for (size_t q = 0; q < settings.queries; ++q)
      latency.time([&] { benchmark::DoNotOptimize(index.search({queries.data() + q * d, d}, 10).data()); });
    latency.fill(row);
    print_row(row);
  }
#else
  (void)index, (void)queries, (void)truth, (void)base;
#endif
}

void search_benchmark(benchmark::State& state, const std::string& kind, size_t n, int dim) {
  if (std::chrono::duration<double>(Clock::now() - kStart).count() > settings.budget_seconds) {
    state.SkipWithError("time budget spent");
    for (auto _ : state) {
    }
    return;
  }
  double load = 0;
  getloadavg(&load, 1);
  Dataset& data = dataset(n, dim);
  double build_seconds;
  const auto index = build(kind, data, &build_seconds);
  if (data.exact_top1.empty()) {
    double ignored;
    data.exact_top1 = top1(kind == "exact" ? *index : *build("exact", data, &ignored), data);
  }
  Row row{.kind = kind, .dim = dim, .n = n, .build_s = build_seconds,
          .mib = static_cast<double>(index->memory_bytes()) / (1 << 20), .rss_mib = resident_mib()};
  if (kind != "exact") {  // recall@1 against exact; exact-fp16/int8: how far the top-1 distance is when it agrees
    const auto found = top1(*index, data);
    size_t hits = 0;
    row.max_error = 0;
    for (size_t q = 0; q < settings.queries; ++q)
      if (found[q].label == data.exact_top1[q].label) {
        ++hits;
        row.max_error = std::max(row.max_error, static_cast<double>(std::abs(found[q].distance - data.exact_top1[q].distance)));
      }
    row.recall1 = static_cast<double>(hits) / settings.queries;
    if (kind == "hnsw" || kind == "faiss-hnsw" || kind == "faiss-ivf-flat") row.max_error = NAN;  // float distances
  }
  Latency latency;
  size_t q = 0;
  for (auto _ : state) latency.time([&] { benchmark::DoNotOptimize(index->search(data.query(q++ % settings.queries), 10).data()); });
  latency.fill(row);
  if (kind.rfind("exact", 0) == 0) {
    // The fastest query against the fastest of as many reads: on a shared
    // machine, both as near to unpreempted as the run got.
    row.gbps = bytes_scanned(kind, n, dim) / (latency.fastest_us() * 1e3);
    row.read_gbps = streaming_read_gbps(bytes_scanned(kind, n, dim), row.samples);
    state.counters["GBps"] = row.gbps;
    state.counters["share"] = row.gbps / row.read_gbps;
  } else if (kind == "hnsw" || kind == "faiss-hnsw") {
    row.kind = kind + " ef " + std::to_string(settings.hnsw.hnsw_ef_search);
  } else {
    const int nprobe = settings.hnsw.faiss_nprobe;
    row.kind = kind + " nprobe " + (nprobe > 0 ? std::to_string(nprobe) : "nlist/16");
  }
  getloadavg(&row.load, 1);
  row.load = std::max(row.load, load);
  state.counters["build_s"] = row.build_s;
  state.counters["MiB"] = row.mib;
  state.counters["p50_us"] = row.p50_us;
  state.counters["p99_us"] = row.p99_us;
  if (kind != "exact") state.counters["recall1"] = row.recall1;
  print_row(row);
  if (kind == "hnsw") ef_sweep(*index, data, row);
  if (kind.rfind("faiss-ivf", 0) == 0) nprobe_sweep(*index, data.queries, data.exact_top1, row);
}

// The memory-light run (--gallery_streamed): faiss-ivf-pq at n × dim, the
// vectors made and added a chunk at a time; the ground truth (exact top-1
// of every query) is kept up to date chunk by chunk.
void streamed_benchmark(benchmark::State& state, size_t n, int dim) {
  // The first chunk trains the cells: 40 vectors each at least.
  const size_t kChunk = std::max<size_t>(250'000, 40 * static_cast<size_t>(settings.streamed_options.faiss_nlist));
  double load = 0;
  getloadavg(&load, 1);
  const auto d = static_cast<size_t>(dim);
  std::vector<float> queries(settings.queries * d), chunk;
  parallel_for(settings.queries, [&](size_t q) { photo_of(q * 7919 % n, 1, dim, queries.data() + q * d); });
  std::vector<Neighbor> truth(settings.queries, Neighbor{-1, INFINITY});
  IndexOptions options = settings.streamed_options;
  options.faiss_pq_m = settings.hnsw.faiss_pq_m;
  options.faiss_rerank = settings.hnsw.faiss_rerank;
  options.threads = settings.threads;
  auto index = make_index("faiss-ivf-pq", dim, IndexSpace::kInnerProduct, options);
  double build_seconds = 0, truth_seconds = 0;
  std::vector<int64_t> labels;
  for (size_t first = 0; first < n; first += kChunk) {
    const size_t rows = std::min(kChunk, n - first);
    chunk.resize(rows * d);
    parallel_for(rows, [&](size_t i) { photo_of(first + i, 0, dim, chunk.data() + i * d); });
    labels.resize(rows);
    std::iota(labels.begin(), labels.end(), static_cast<int64_t>(first));
    auto start = Clock::now();
    index->add(chunk, labels);
    build_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    start = Clock::now();
    // Blocks of rows that stay in cache across the queries; each thread
    // takes a share of the queries.
    constexpr size_t kBlock = 2048;
    const size_t share = (settings.queries + cores() - 1) / cores();
    parallel_for(cores(), [&](size_t worker) {
      std::vector<float> dots(kBlock);
      const size_t first_query = worker * share, end_query = std::min(settings.queries, first_query + share);
      for (size_t b = 0; b < rows; b += kBlock) {
        const size_t count = std::min(kBlock, rows - b);
        for (size_t q = first_query; q < end_query; ++q) {
          kernels::dot_rows(queries.data() + q * d, chunk.data() + b * d, count, d, dots.data());
          for (size_t i = 0; i < count; ++i)
            if (1 - dots[i] < truth[q].distance) truth[q] = {static_cast<int64_t>(first + b + i), 1 - dots[i]};
        }
      }
    });
    truth_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(stderr, "streamed: %zu added, %.0f s adding, %.0f s ground truth, peak RSS %.0f MiB\n", first + rows,
                 build_seconds, truth_seconds, peak_resident_mib());
  }
  std::vector<float>().swap(chunk);
  Row row{.kind = "faiss-ivf-pq nprobe " + std::to_string(options.faiss_nprobe) + " (streamed)", .dim = dim, .n = n,
          .build_s = build_seconds, .mib = static_cast<double>(index->memory_bytes()) / (1 << 20),
          .rss_mib = peak_resident_mib()};
  size_t hits = 0;
  for (size_t q = 0; q < settings.queries; ++q)
    hits += index->search({queries.data() + q * d, d}, 1).at(0).label == truth[q].label;
  row.recall1 = static_cast<double>(hits) / settings.queries;
  Latency latency;
  size_t q = 0;
  for (auto _ : state)
    latency.time([&] { benchmark::DoNotOptimize(index->search({queries.data() + (q++ % settings.queries) * d, d}, 10).data()); });
  latency.fill(row);
  getloadavg(&row.load, 1);
  row.load = std::max(row.load, load);
  state.counters["build_s"] = row.build_s;
  state.counters["truth_s"] = truth_seconds;
  state.counters["peak_rss_MiB"] = row.rss_mib;
  state.counters["recall1"] = row.recall1;
  print_row(row);
  nprobe_sweep(*index, queries, truth, row);
}

}  // namespace
}  // namespace facekit

int main(int argc, char** argv) {
  using facekit::settings;
  size_t max_n = 1'000'000;
  std::vector<int> dims{128, 512};
  auto value = [](const char* arg, const char* flag) -> const char* {
    const size_t length = std::strlen(flag);
    return std::strncmp(arg, flag, length) == 0 ? arg + length : nullptr;
  };
  for (int i = 1; i < argc; ++i) {
    if (const char* v = value(argv[i], "--gallery_max=")) max_n = std::stoul(v);
    if (const char* v = value(argv[i], "--gallery_data=")) settings.data = v;
    if (const char* v = value(argv[i], "--gallery_budget_s=")) settings.budget_seconds = std::stod(v);
    if (const char* v = value(argv[i], "--hnsw_m=")) settings.hnsw.hnsw_m = std::stoi(v);
    if (const char* v = value(argv[i], "--hnsw_ef_construction=")) settings.hnsw.hnsw_ef_construction = std::stoi(v);
    if (const char* v = value(argv[i], "--hnsw_ef_search=")) settings.hnsw.hnsw_ef_search = std::stoi(v);
    if (const char* v = value(argv[i], "--gallery_queries=")) settings.queries = std::stoul(v);
    if (const char* v = value(argv[i], "--gallery_threads=")) settings.threads = std::stoi(v);
    if (const char* v = value(argv[i], "--gallery_streamed=")) settings.streamed = std::stoul(v);
    if (const char* v = value(argv[i], "--faiss_nlist=")) settings.hnsw.faiss_nlist = std::stoi(v);
    if (const char* v = value(argv[i], "--faiss_nprobe=")) settings.hnsw.faiss_nprobe = std::stoi(v);
    if (const char* v = value(argv[i], "--faiss_pq_m=")) settings.hnsw.faiss_pq_m = std::stoi(v);
    if (const char* v = value(argv[i], "--faiss_rerank=")) settings.hnsw.faiss_rerank = std::stoi(v);
    if (const char* v = value(argv[i], "--streamed_nlist=")) settings.streamed_options.faiss_nlist = std::stoi(v);
    if (const char* v = value(argv[i], "--streamed_nprobe=")) settings.streamed_options.faiss_nprobe = std::stoi(v);
    if (const char* v = value(argv[i], "--faiss_nprobe_sweep=")) {
      std::istringstream list(v);
      for (std::string nprobe; std::getline(list, nprobe, ',');) settings.nprobe_sweep.push_back(std::stoi(nprobe));
    }
    if (const char* v = value(argv[i], "--gallery_kinds=")) {
      std::istringstream list(v);
      for (std::string kind; std::getline(list, kind, ',');) settings.kinds.push_back(kind);
    }
    if (const char* v = value(argv[i], "--gallery_dims=")) {
      dims.clear();
      std::istringstream list(v);
      for (std::string dim; std::getline(list, dim, ',');) dims.push_back(std::stoi(dim));
    }
  }
  if (settings.data != "faces" && settings.data != "uniform") {
    std::fprintf(stderr, "--gallery_data: faces or uniform, not %s\n", settings.data.c_str());
    return 2;
  }
  if (settings.kinds.empty())
    for (const auto& kind : facekit::index_names())
      if (kind != "auto") settings.kinds.push_back(kind);
  for (size_t n : {10'000ul, 100'000ul, 1'000'000ul})
    for (int dim : dims) {
      if (n > max_n) continue;
      // exact first: it gives the ground truth.
      for (const std::string& kind : settings.kinds) {
        const std::string name = kind + "/" + std::to_string(dim) + "D/" + std::to_string(n);
        // Exact scans: about two seconds of queries, 50 to 500 of them.
        const double guess_seconds = facekit::bytes_scanned(kind, n, dim) / 10e9;
        const int64_t iterations = kind.rfind("exact", 0) != 0 ? 2000 : std::clamp<int64_t>(static_cast<int64_t>(2 / guess_seconds), 50, 500);
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { facekit::search_benchmark(s, kind, n, dim); })
            ->Unit(benchmark::kMicrosecond)
            ->Iterations(iterations);
      }
    }
  if (settings.streamed > 0) {
    const size_t n = settings.streamed;
    benchmark::RegisterBenchmark(("faiss-ivf-pq-streamed/128D/" + std::to_string(n)).c_str(),
                                 [=](benchmark::State& s) { facekit::streamed_benchmark(s, n, 128); })
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(2000);
  }
  benchmark::Initialize(&argc, argv);
  facekit::print_header();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
