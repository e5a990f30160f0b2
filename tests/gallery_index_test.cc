// The indexes: exact search against a naive double-precision computation
// written here, approximate search against exact (recall@1).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/index.h"
#include "gallery/kernels.h"
#include "nn/half.h"

using facekit::IndexSpace;
using facekit::make_index;

namespace {

// n random vectors of `dim`, unit length when `unit`.
std::vector<float> random_rows(int n, int dim, bool unit, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> rows(static_cast<size_t>(n) * dim);
  for (auto& x : rows) x = normal(rng);
  if (unit)
    for (int i = 0; i < n; ++i) {
      float* r = rows.data() + static_cast<size_t>(i) * dim;
      const float norm = std::sqrt(std::inner_product(r, r + dim, r, 0.f));
      for (int j = 0; j < dim; ++j) r[j] /= norm;
    }
  return rows;
}

std::vector<int64_t> iota_labels(int n, int64_t first = 0) {
  std::vector<int64_t> labels(n);
  std::iota(labels.begin(), labels.end(), first);
  return labels;
}

double naive_distance(const float* a, const float* b, int dim, IndexSpace space) {
  double dot = 0, l2 = 0;
  for (int i = 0; i < dim; ++i) {
    dot += double{a[i]} * b[i];
    l2 += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
  }
  return space == IndexSpace::kInnerProduct ? 1 - dot : l2;
}

// Every kernel this CPU can run, at lengths around the SIMD widths and row
// counts around the 4-row blocking, against double-precision sums.
TEST(Kernels, EveryInstructionSetMatchesNaiveSums) {
  using facekit::kernels::Isa;
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kBaseline}) {
    if (isa < facekit::kernels::best_isa()) continue;  // not on this CPU
    for (size_t n : {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 128, 513})
      for (size_t count : {1, 3, 4, 5, 9}) {
        std::vector<float> query(n), rows(n * count), dots(count), l2s(count), half_dots(count), half_l2s(count);
        std::vector<uint16_t> halves(n * count);
        for (auto& x : query) x = uniform(rng);
        for (auto& x : rows) x = uniform(rng);
        // The half rows hold exactly the values of `rows`, rounded to half first.
        for (size_t i = 0; i < rows.size(); ++i) {
          halves[i] = facekit::kernels::float_to_half(rows[i]);
          rows[i] = facekit::nn::half_to_float(halves[i]);
        }
        facekit::kernels::dot_rows(isa, query.data(), rows.data(), count, n, dots.data());
        facekit::kernels::squared_l2_rows(isa, query.data(), rows.data(), count, n, l2s.data());
        facekit::kernels::dot_rows(isa, query.data(), halves.data(), count, n, half_dots.data());
        facekit::kernels::squared_l2_rows(isa, query.data(), halves.data(), count, n, half_l2s.data());
        for (size_t r = 0; r < count; ++r) {
          double dot = 0, l2 = 0;
          for (size_t i = 0; i < n; ++i) {
            dot += double{query[i]} * rows[r * n + i];
            l2 += (double{query[i]} - rows[r * n + i]) * (double{query[i]} - rows[r * n + i]);
          }
          const auto where = std::string(facekit::kernels::isa_name(isa)) + " n=" + std::to_string(n) + " row " +
                             std::to_string(r);
          EXPECT_NEAR(dots[r], dot, 1e-4) << where;
          EXPECT_NEAR(l2s[r], l2, 1e-4) << where;
          EXPECT_NEAR(half_dots[r], dot, 1e-4) << where << " (float16 rows)";
          EXPECT_NEAR(half_l2s[r], l2, 1e-4) << where << " (float16 rows)";
        }
      }
  }
}

TEST(Kernels, FloatToHalfRoundsToNearestEven) {
  using facekit::kernels::float_to_half;
  EXPECT_EQ(float_to_half(1.f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.f), 0xc000);
  EXPECT_EQ(float_to_half(0.1f), 0x2e66);
  EXPECT_EQ(float_to_half(65504.f), 0x7bff);
  EXPECT_EQ(float_to_half(65520.f), 0x7c00);       // halfway past the largest: to infinity
  EXPECT_EQ(float_to_half(std::ldexp(1.f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.f, -25)), 0x0000);  // halfway to it: ties to even (0)
  EXPECT_EQ(float_to_half(1.f + std::ldexp(1.f, -11)), 0x3c00);  // tie: even mantissa kept
  EXPECT_EQ(float_to_half(1.f + 3 * std::ldexp(1.f, -11)), 0x3c02);  // tie: rounded up to even
  // Every finite half converts back to itself.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00u) == 0x7c00u) continue;  // infinity, NaN
    ASSERT_EQ(float_to_half(facekit::nn::half_to_float(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
}

TEST(ExactFp16Index, AgreesWithExact) {
  constexpr int kRows = 2000, kDim = 128, kQueries = 50;
  const auto rows = random_rows(kRows, kDim, true, 11);
  auto exact = make_index("exact", kDim, IndexSpace::kInnerProduct);
  auto half = make_index("exact-fp16", kDim, IndexSpace::kInnerProduct);
  exact->add(rows, iota_labels(kRows));
  half->add(rows, iota_labels(kRows));
  EXPECT_LT(half->memory_bytes(), exact->memory_bytes() * 6 / 10);
  for (int q = 0; q < kQueries; ++q) {
    // Near stored row 37·q, as a face near its enrolled photo.
    std::vector<float> query(rows.begin() + q * 37 * kDim, rows.begin() + (q * 37 + 1) * kDim);
    query[q % kDim] += 0.05f;
    const auto e = exact->search(query, 3), h = half->search(query, 3);
    EXPECT_EQ(h[0].label, e[0].label);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(h[i].distance, e[i].distance, 2e-3);
  }
  EXPECT_THROW(half->add(std::vector<float>(kDim, 7e4f), std::vector<int64_t>{1}), facekit::Error);
}

struct Case {
  IndexSpace space;
  int dim;  // odd sizes exercise the kernels' tails
};

class ExactIndex : public ::testing::TestWithParam<Case> {};

TEST_P(ExactIndex, MatchesNaiveSearch) {
  const auto [space, dim] = GetParam();
  constexpr int kRows = 700, kQueries = 20, kK = 10;
  const bool unit = space == IndexSpace::kInnerProduct;
  const auto rows = random_rows(kRows, dim, unit, 1);
  const auto queries = random_rows(kQueries, dim, unit, 2);
  auto index = make_index("exact", dim, space);
  // Added in two parts, with labels that are not row numbers.
  const size_t half = static_cast<size_t>(kRows / 2) * dim;
  index->add({rows.data(), half}, iota_labels(kRows / 2, 1000));
  index->add({rows.data() + half, rows.size() - half}, iota_labels(kRows - kRows / 2, 1000 + kRows / 2));
  ASSERT_EQ(index->size(), kRows);
  for (int q = 0; q < kQueries; ++q) {
    const float* query = queries.data() + static_cast<size_t>(q) * dim;
    std::vector<std::pair<double, int64_t>> want;
    for (int i = 0; i < kRows; ++i)
      want.emplace_back(naive_distance(query, rows.data() + static_cast<size_t>(i) * dim, dim, space), 1000 + i);
    std::sort(want.begin(), want.end());
    const auto got = index->search({query, static_cast<size_t>(dim)}, kK);
    ASSERT_EQ(got.size(), static_cast<size_t>(kK));
    for (int i = 0; i < kK; ++i) {
      EXPECT_EQ(got[i].label, want[i].second) << "query " << q << " rank " << i;
      EXPECT_NEAR(got[i].distance, want[i].first, 1e-4 * std::max(1.0, std::abs(want[i].first)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Spaces, ExactIndex,
                         ::testing::Values(Case{IndexSpace::kInnerProduct, 128}, Case{IndexSpace::kL2, 128},
                                           Case{IndexSpace::kInnerProduct, 37}, Case{IndexSpace::kL2, 5},
                                           Case{IndexSpace::kL2, 512}));

TEST(Index, SmallAndEdgeCases) {
  for (const auto& name : facekit::index_names()) {
    auto index = make_index(name, 3, IndexSpace::kL2);
    EXPECT_TRUE(index->search(std::vector<float>{0, 0, 0}, 5).empty()) << name;
    index->add(std::vector<float>{0, 0, 0, 1, 0, 0}, std::vector<int64_t>{7, 8});
    const auto all = index->search(std::vector<float>{0.9f, 0, 0}, 5);
    ASSERT_EQ(all.size(), 2u) << name;
    EXPECT_EQ(all[0].label, 8);
    EXPECT_NEAR(all[0].distance, 0.01f, 1e-6);
    EXPECT_EQ(all[1].label, 7);
    EXPECT_TRUE(index->search(std::vector<float>{0, 0, 0}, 0).empty());
    EXPECT_THROW(index->search(std::vector<float>{0, 0}, 1), facekit::Error) << name;
    EXPECT_THROW(index->add(std::vector<float>{0, 0, 0, 1}, std::vector<int64_t>{1}), facekit::Error) << name;
    EXPECT_THROW(index->add(std::vector<float>{0, NAN, 0}, std::vector<int64_t>{1}), facekit::Error) << name;
    EXPECT_EQ(index->size(), 2) << name;
    EXPECT_GT(index->memory_bytes(), 0u) << name;
  }
  EXPECT_THROW(make_index("annoy", 3, IndexSpace::kL2), facekit::Error);
  EXPECT_THROW(make_index("exact", 0, IndexSpace::kL2), facekit::Error);
}

TEST(HnswIndex, RecallAtOneAgainstExact) {
  for (auto space : {IndexSpace::kInnerProduct, IndexSpace::kL2}) {
    constexpr int kRows = 5000, kDim = 64, kQueries = 300;
    const bool unit = space == IndexSpace::kInnerProduct;
    const auto rows = random_rows(kRows, kDim, unit, 3);
    // Queries near stored vectors, as a face near its enrolled photos.
    auto queries = random_rows(kQueries, kDim, false, 4);
    for (int q = 0; q < kQueries; ++q)
      for (int j = 0; j < kDim; ++j)
        queries[static_cast<size_t>(q) * kDim + j] =
            rows[static_cast<size_t>(q * 13) * kDim + j] + 0.05f * queries[static_cast<size_t>(q) * kDim + j];
    facekit::IndexOptions options;
    options.threads = 2;
    auto exact = make_index("exact", kDim, space);
    auto hnsw = make_index("hnsw", kDim, space, options);
    exact->add(rows, iota_labels(kRows));
    hnsw->add(rows, iota_labels(kRows));
    ASSERT_EQ(hnsw->size(), kRows);
    int hits = 0;
    for (int q = 0; q < kQueries; ++q) {
      const std::span<const float> query(queries.data() + static_cast<size_t>(q) * kDim, kDim);
      hits += hnsw->search(query, 1).at(0).label == exact->search(query, 1).at(0).label;
    }
    EXPECT_GE(hits, 0.99 * kQueries) << (unit ? "inner product" : "l2");
  }
}

TEST(HnswIndex, RecallAtOneOnUniformRandomData) {
  // The hard case: no structure, nearest neighbours barely nearer than the rest.
  constexpr int kRows = 3000, kDim = 32, kQueries = 200;
  const auto rows = random_rows(kRows, kDim, true, 5);
  const auto queries = random_rows(kQueries, kDim, true, 6);
  auto exact = make_index("exact", kDim, IndexSpace::kInnerProduct);
  auto hnsw = make_index("hnsw", kDim, IndexSpace::kInnerProduct);
  exact->add(rows, iota_labels(kRows));
  hnsw->add(rows, iota_labels(kRows));
  int hits = 0;
  for (int q = 0; q < kQueries; ++q) {
    const std::span<const float> query(queries.data() + static_cast<size_t>(q) * kDim, kDim);
    hits += hnsw->search(query, 1).at(0).label == exact->search(query, 1).at(0).label;
  }
  EXPECT_GE(hits, 0.99 * kQueries);
}

}  // namespace
