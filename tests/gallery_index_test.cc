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
        // int8 rows: every integer value, products summed in double here.
        std::vector<int8_t> ints(n * count);
        for (auto& x : ints) x = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
        std::vector<float> int_dots(count);
        facekit::kernels::dot_rows(isa, query.data(), ints.data(), count, n, int_dots.data());
        for (size_t r = 0; r < count; ++r) {
          double dot = 0, magnitude = 0;
          for (size_t i = 0; i < n; ++i) {
            dot += double{query[i]} * ints[r * n + i];
            magnitude += std::abs(double{query[i]} * ints[r * n + i]);
          }
          EXPECT_NEAR(int_dots[r], dot, 1e-6 * magnitude + 1e-6)
              << facekit::kernels::isa_name(isa) << " n=" << n << " row " << r << " (int8 rows)";
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

// The int8 row this test expects the index to hold for `x`: symmetric,
// scale max|x| / 127, values rounded to nearest (ties to even), dequantised.
std::vector<double> dequantised(const float* x, int dim, double* scale) {
  double largest = 0;
  for (int i = 0; i < dim; ++i) largest = std::max(largest, std::abs(double{x[i]}));
  *scale = largest / 127;
  std::vector<double> out(dim, 0.0);
  if (largest > 0)
    for (int i = 0; i < dim; ++i) out[i] = std::nearbyint(x[i] / *scale) * *scale;
  return out;
}

// Every distance within the stated bound of the exact one (computed here in
// double), and equal to the distance to the dequantised row; both spaces,
// dimensions with SIMD tails, rows of very different lengths for L2.
TEST(ExactInt8Index, DistancesWithinTheQuantisationBound) {
  for (auto space : {IndexSpace::kInnerProduct, IndexSpace::kL2})
    for (int dim : {128, 37, 512}) {
      constexpr int kRows = 300, kQueries = 10;
      const bool unit = space == IndexSpace::kInnerProduct;
      auto rows = random_rows(kRows, dim, unit, 21);
      if (!unit)
        for (int r = 0; r < kRows; ++r)
          for (int j = 0; j < dim; ++j) rows[static_cast<size_t>(r) * dim + j] *= std::pow(10.f, r % 5 - 2);
      const auto queries = random_rows(kQueries, dim, unit, 22);
      auto index = make_index("exact-int8", dim, space);
      index->add(rows, iota_labels(kRows));
      for (int q = 0; q < kQueries; ++q) {
        const float* query = queries.data() + static_cast<size_t>(q) * dim;
        double query_l1 = 0, query_l2 = 0;
        for (int j = 0; j < dim; ++j) {
          query_l1 += std::abs(query[j]);
          query_l2 += double{query[j]} * query[j];
        }
        for (const auto& found : index->search({query, static_cast<size_t>(dim)}, kRows)) {
          const float* x = rows.data() + found.label * dim;
          double scale;
          const auto stored = dequantised(x, dim, &scale);
          double to_stored = 0, difference_l1 = 0, stored_l2 = 0;
          for (int j = 0; j < dim; ++j) {
            to_stored += unit ? query[j] * stored[j] : (query[j] - stored[j]) * (query[j] - stored[j]);
            difference_l1 += std::abs(query[j] - x[j]);
            stored_l2 += stored[j] * stored[j];
          }
          if (unit) to_stored = 1 - to_stored;
          const double bound = unit ? scale / 2 * query_l1 : scale * difference_l1 + dim * scale * scale / 4;
          const double rounding = 1e-5 * (1 + query_l2 + stored_l2);  // float32 sums
          const auto where = std::string(unit ? "inner product" : "l2") + " dim " + std::to_string(dim) +
                             " query " + std::to_string(q) + " row " + std::to_string(found.label);
          EXPECT_NEAR(found.distance, to_stored, rounding) << where;
          EXPECT_NEAR(found.distance, naive_distance(query, x, dim, space), bound + rounding) << where;
        }
      }
    }
}

// Face-like data: identities are unit centres, photos noisy copies of them;
// queries are new photos of enrolled people. int8 must find what exact finds.
TEST(ExactInt8Index, AgreesWithExactOnFaceLikeData) {
  constexpr int kPeople = 2000, kDim = 128, kQueries = 200;
  const auto centres = random_rows(kPeople, kDim, true, 31);
  const auto noise = random_rows(kPeople + kQueries, kDim, true, 32);
  auto photo = [&](int person, int noise_row) {
    std::vector<float> v(kDim);
    for (int j = 0; j < kDim; ++j)
      v[j] = centres[static_cast<size_t>(person) * kDim + j] + 0.65f * noise[static_cast<size_t>(noise_row) * kDim + j];
    const float norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.f));
    for (auto& x : v) x /= norm;
    return v;
  };
  std::vector<float> rows;
  for (int p = 0; p < kPeople; ++p) {
    const auto v = photo(p, p);
    rows.insert(rows.end(), v.begin(), v.end());
  }
  auto exact = make_index("exact", kDim, IndexSpace::kInnerProduct);
  auto int8 = make_index("exact-int8", kDim, IndexSpace::kInnerProduct);
  exact->add(rows, iota_labels(kPeople));
  int8->add(rows, iota_labels(kPeople));
  EXPECT_LT(int8->memory_bytes(), exact->memory_bytes() * 3 / 10);
  int same = 0;
  for (int q = 0; q < kQueries; ++q) {
    const auto query = photo(q * 7 % kPeople, kPeople + q);
    const auto e = exact->search(query, 5), i = int8->search(query, 5);
    same += i[0].label == e[0].label;
    for (int r = 0; r < 5; ++r) EXPECT_NEAR(i[r].distance, e[r].distance, 5e-3);
  }
  EXPECT_GE(same, 0.99 * kQueries);
}

TEST(ExactInt8Index, ExtremeValues) {
  auto index = make_index("exact-int8", 4, IndexSpace::kInnerProduct);
  // Huge, subnormal and zero rows quantise without overflow or division by zero.
  index->add(std::vector<float>{3e38f, -3e38f, 0, 1e38f, 1e-45f, 0, 0, 0, 0, 0, 0, 0},
             std::vector<int64_t>{1, 2, 3});
  const auto found = index->search(std::vector<float>{1, 0, 0, 0}, 3);
  ASSERT_EQ(found.size(), 3u);
  for (const auto& n : found) EXPECT_FALSE(std::isnan(n.distance)) << n.label;
  EXPECT_EQ(found[0].label, 1);  // 1 − 3e38: the largest dot product
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
    EXPECT_TRUE(index->search(std::vector<float>{0, 0, 0}, -3).empty());
    EXPECT_THROW(index->search(std::vector<float>{0, 0}, 1), facekit::Error) << name;
    EXPECT_THROW(index->search(std::vector<float>{0, NAN, 0}, 1), facekit::Error) << name;
    EXPECT_THROW(index->search(std::vector<float>{INFINITY, 0, 0}, 1), facekit::Error) << name;
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
