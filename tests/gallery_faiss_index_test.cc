// The FAISS indexes against the exact index written independently of them
// (exact search is itself checked against naive sums in
// gallery_index_test.cc): recall@1 on face-like vectors, both spaces,
// galleries too small to train, and refused input.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/index.h"

using facekit::IndexOptions;
using facekit::IndexSpace;
using facekit::make_index;

namespace {

bool have_faiss() {
  const auto names = facekit::index_names();
  return std::find(names.begin(), names.end(), "faiss-ivf-flat") != names.end();
}

#define REQUIRE_FAISS() \
  if (!have_faiss()) GTEST_SKIP() << "built without FAISS (libfaiss-dev)"

void normalize(float* v, int dim) {
  double norm = 0;
  for (int j = 0; j < dim; ++j) norm += double{v[j]} * v[j];
  for (int j = 0; j < dim; ++j) v[j] = static_cast<float>(v[j] / std::sqrt(norm));
}

// Face-like vectors: `people` identities (random unit directions), each
// enrolled as `photos` noisy unit samples; queries are fresh samples of
// the first identities. Same-person cosine ≈ 0.8, others ≈ 0.
struct Faces {
  int dim;
  std::vector<float> rows, queries;
  std::vector<int64_t> labels;
  Faces(int people, int photos, int queries_count, int dim, uint32_t seed) : dim(dim) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f / std::sqrt(static_cast<float>(dim)));
    std::vector<float> identity(static_cast<size_t>(people) * dim);
    for (auto& x : identity) x = normal(rng);
    for (int p = 0; p < people; ++p) normalize(identity.data() + static_cast<size_t>(p) * dim, dim);
    auto sample = [&](int p, std::vector<float>& out) {
      const size_t at = out.size();
      for (int j = 0; j < dim; ++j) out.push_back(identity[static_cast<size_t>(p) * dim + j] + 0.5f * normal(rng));
      normalize(out.data() + at, dim);
    };
    for (int p = 0; p < people; ++p)
      for (int s = 0; s < photos; ++s) {
        sample(p, rows);
        labels.push_back(static_cast<int64_t>(labels.size()));
      }
    for (int q = 0; q < queries_count; ++q) sample(q % people, queries);
  }
  size_t count() const { return labels.size(); }
  std::span<const float> query(int q) const { return {queries.data() + static_cast<size_t>(q) * dim, static_cast<size_t>(dim)}; }
  int query_count() const { return static_cast<int>(queries.size()) / dim; }
};

// Share of queries whose top-1 label is exact's.
double recall_at_1(const facekit::Index& index, const facekit::Index& exact, const Faces& faces) {
  int hits = 0;
  for (int q = 0; q < faces.query_count(); ++q)
    hits += index.search(faces.query(q), 1).at(0).label == exact.search(faces.query(q), 1).at(0).label;
  return static_cast<double>(hits) / faces.query_count();
}

struct Case {
  std::string index;
  IndexSpace space;
};

class FaissRecall : public ::testing::TestWithParam<Case> {};

// 4,000 people × 5 photos = 20,000 vectors: above the training size (the
// cells are learnt), recall@1 ≥ 0.95 against exact, and distances of the
// returned neighbours equal to exact's for the same labels (IVF-Flat and
// HNSW keep floats; IVF-PQ re-ranks on float16 copies: within 2e-3).
TEST_P(FaissRecall, FindsExactsNearestOnFaceLikeVectors) {
  REQUIRE_FAISS();
  const auto [name, space] = GetParam();
  const Faces faces(4000, 5, 200, 64, 7);
  IndexOptions options;
  options.faiss_nlist = 64;
  options.faiss_nprobe = 16;
  options.hnsw_m = 16;
  options.hnsw_ef_construction = 64;
  auto exact = make_index("exact", faces.dim, space);
  auto index = make_index(name, faces.dim, space, options);
  exact->add(faces.rows, faces.labels);
  index->add(faces.rows, faces.labels);
  EXPECT_EQ(index->size(), static_cast<int64_t>(faces.count()));
  EXPECT_GE(recall_at_1(*index, *exact, faces), 0.95) << name;
  for (int q = 0; q < 20; ++q) {
    const auto got = index->search(faces.query(q), 5);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end(), [](auto& a, auto& b) { return a.distance < b.distance; }));
    const auto all = exact->search(faces.query(q), static_cast<int>(faces.count()));
    for (const auto& n : got) {
      const auto same = std::find_if(all.begin(), all.end(), [&](auto& e) { return e.label == n.label; });
      ASSERT_NE(same, all.end());
      EXPECT_NEAR(n.distance, same->distance, name == "faiss-ivf-pq" ? 2e-3 : 1e-4) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Indexes, FaissRecall,
                         ::testing::Values(Case{"faiss-ivf-flat", IndexSpace::kInnerProduct},
                                           Case{"faiss-ivf-flat", IndexSpace::kL2},
                                           Case{"faiss-ivf-pq", IndexSpace::kInnerProduct},
                                           Case{"faiss-ivf-pq", IndexSpace::kL2},
                                           Case{"faiss-hnsw", IndexSpace::kInnerProduct},
                                           Case{"faiss-hnsw", IndexSpace::kL2}),
                         [](const auto& info) {
                           std::string name = info.param.index + (info.param.space == IndexSpace::kL2 ? "_l2" : "_ip");
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Below the training size the vectors are searched exactly: the same
// neighbours and distances as exact. Adding more in a later call trains
// the cells then; vectors added after training are found too.
TEST(FaissIndex, SmallGalleryIsExactUntilTrainedThenKeepsEveryVector) {
  REQUIRE_FAISS();
  const Faces faces(1200, 2, 100, 32, 3);
  for (const std::string name : {"faiss-ivf-flat", "faiss-ivf-pq"}) {
    IndexOptions options;
    options.faiss_nlist = 32;  // trains at 32 · 39 = 1248 (ivf-pq: 39 · 256 = 9984) vectors
    options.faiss_nprobe = 16;
    auto index = make_index(name, faces.dim, IndexSpace::kInnerProduct, options);
    auto exact = make_index("exact", faces.dim, IndexSpace::kInnerProduct);
    const size_t half = 1000;
    const std::span<const float> rows(faces.rows);
    const std::span<const int64_t> labels(faces.labels);
    index->add(rows.first(half * faces.dim), labels.first(half));
    exact->add(rows.first(half * faces.dim), labels.first(half));
    for (int q = 0; q < faces.query_count(); ++q) {
      const auto got = index->search(faces.query(q), 3), want = exact->search(faces.query(q), 3);
      ASSERT_EQ(got.size(), 3u);
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got[i].label, want[i].label) << name;
        EXPECT_NEAR(got[i].distance, want[i].distance, 1e-5) << name;
      }
    }
    index->add(rows.subspan(half * faces.dim), labels.subspan(half));
    exact->add(rows.subspan(half * faces.dim), labels.subspan(half));
    EXPECT_EQ(index->size(), static_cast<int64_t>(faces.count()));
    EXPECT_GE(recall_at_1(*index, *exact, faces), 0.95) << name;
    // Each stored vector, as a query, finds itself (the last ones were added after training).
    for (size_t r = faces.count() - 50; r < faces.count(); ++r)
      EXPECT_EQ(index->search(rows.subspan(r * faces.dim, faces.dim), 1).at(0).label, faces.labels[r]) << name;
  }
}

// k beyond the gallery returns every vector once; k beyond what the probed
// cells hold still returns k.
TEST(FaissIndex, ReturnsKWhenTheProbedCellsHoldFewer) {
  REQUIRE_FAISS();
  const Faces faces(1000, 2, 5, 16, 5);
  IndexOptions options;
  options.faiss_nlist = 50;
  options.faiss_nprobe = 1;  // one cell: about 40 vectors
  auto index = make_index("faiss-ivf-flat", faces.dim, IndexSpace::kL2, options);
  index->add(faces.rows, faces.labels);
  const auto many = index->search(faces.query(0), 500);
  EXPECT_EQ(many.size(), 500u);
  auto all = index->search(faces.query(0), 5000);
  ASSERT_EQ(all.size(), faces.count());
  std::vector<int64_t> seen;
  for (const auto& n : all) seen.push_back(n.label);
  std::sort(seen.begin(), seen.end());
  EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}

TEST(FaissIndex, RefusesBadInputNamingTheIndex) {
  REQUIRE_FAISS();
  for (const std::string name : {"faiss-ivf-flat", "faiss-ivf-pq", "faiss-hnsw"}) {
    auto index = make_index(name, 8, IndexSpace::kL2);
    EXPECT_TRUE(index->search(std::vector<float>(8, 0.f), 3).empty()) << name;
    const std::vector<float> nan_row{0, 0, NAN, 0, 0, 0, 0, 0};
    try {
      index->add(nan_row, std::vector<int64_t>{1});
      ADD_FAILURE() << name << " took NaN";
    } catch (const facekit::Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
    EXPECT_THROW(index->add(std::vector<float>(7, 0.f), std::vector<int64_t>{1}), facekit::Error) << name;
    EXPECT_THROW(index->search(std::vector<float>(9, 0.f), 1), facekit::Error) << name;
    EXPECT_THROW(index->search(nan_row, 1), facekit::Error) << name;
    EXPECT_EQ(index->size(), 0) << name;
  }
  auto pq = make_index("faiss-ivf-pq", 8, IndexSpace::kL2);
  EXPECT_THROW(pq->add(std::vector<float>(8, 1e6f), std::vector<int64_t>{1}), facekit::Error);  // beyond float16
}

TEST(FaissIndex, RefusesOptionsOutOfRange) {
  REQUIRE_FAISS();
  const auto refused = [](const std::string& name, int dim, IndexOptions o, const std::string& option) {
    try {
      make_index(name, dim, IndexSpace::kL2, o);
      ADD_FAILURE() << name << " took a bad " << option;
    } catch (const facekit::Error& e) {
      EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  refused("faiss-ivf-flat", 8, {.faiss_nlist = -1}, "faiss_nlist");
  refused("faiss-ivf-flat", 8, {.faiss_nlist = 1 << 20}, "faiss_nlist");
  refused("faiss-ivf-flat", 8, {.faiss_nprobe = -1}, "faiss_nprobe");
  refused("faiss-ivf-pq", 12, {.faiss_pq_m = 5}, "faiss_pq_m");
  refused("faiss-ivf-pq", 8, {.faiss_pq_bits = 0}, "faiss_pq_bits");
  refused("faiss-ivf-pq", 8, {.faiss_pq_bits = 17}, "faiss_pq_bits");
  refused("faiss-ivf-pq", 8, {.faiss_rerank = -2}, "faiss_rerank");
  refused("faiss-hnsw", 8, {.hnsw_m = 1}, "hnsw_m");
  refused("faiss-hnsw", 8, {.hnsw_ef_search = 0}, "hnsw_ef_search");
  refused("faiss-ivf-pq", 8, {.faiss_nprobe = -1}, "faiss_nprobe");  // through "auto" as well:
  refused("auto", 8, {.faiss_nprobe = -1}, "faiss_nprobe");
}

// Many threads searching one trained index at once get what one thread gets.
TEST(FaissIndex, ConcurrentSearchesAgreeWithSerialOnes) {
  REQUIRE_FAISS();
  const Faces faces(3000, 4, 64, 32, 11);
  for (const std::string name : {"faiss-ivf-flat", "faiss-ivf-pq", "faiss-hnsw"}) {
    auto index = make_index(name, faces.dim, IndexSpace::kInnerProduct,
                            {.hnsw_m = 16, .hnsw_ef_construction = 64, .faiss_nlist = 64});
    index->add(faces.rows, faces.labels);
    std::vector<int64_t> serial(faces.query_count()), parallel(faces.query_count());
    for (int q = 0; q < faces.query_count(); ++q) serial[q] = index->search(faces.query(q), 3).at(0).label;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int q = t; q < faces.query_count(); q += 4) parallel[q] = index->search(faces.query(q), 3).at(0).label;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(serial, parallel) << name;
  }
}

// "auto": exact for a small gallery, a graph for a large one.
TEST(FaissIndex, AutoChoosesByGallerySize) {
  REQUIRE_FAISS();
  const Faces small(100, 2, 1, 16, 1);
  auto index = make_index("auto", 16, IndexSpace::kInnerProduct);
  EXPECT_EQ(index->name(), "auto");
  index->add(small.rows, small.labels);
  EXPECT_EQ(index->name(), "auto (exact)");
  const Faces large(10000, 5, 1, 16, 2);
  index = make_index("auto", 16, IndexSpace::kInnerProduct, {.hnsw_m = 8, .hnsw_ef_construction = 32});
  index->add(large.rows, large.labels);
  EXPECT_EQ(index->name(), "auto (hnsw)");
  EXPECT_EQ(index->search(std::span(large.rows).first(16), 1).at(0).label, 0);
}

}  // namespace
