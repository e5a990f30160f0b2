// Updating indexes and identifiers in place (Index::remove, Identifier::update):
//   - each index kind after removals and adds: the removed never found, the
//     exact kinds' nearest equal to a brute-force search written here over
//     the vectors that should remain; faiss-hnsw refuses, unchanged;
//   - an identifier after a random sequence of adds, removals and renames
//     answers as one built afresh over the final vectors (exact kinds:
//     the same candidates and distances; approximate: recall@1 against a
//     fresh exact one), and the update was done in place;
//   - searches running while another thread updates see each update whole.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/identify.h"
#include "facekit/index.h"

using namespace facekit;

namespace {

std::vector<float> unit_vector(int dim, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(dim));
  double norm = 0;
  for (auto& x : v) {
    x = normal(rng);
    norm += double{x} * x;
  }
  for (auto& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

bool has(const std::vector<std::string>& names, const std::string& kind) {
  return std::find(names.begin(), names.end(), kind) != names.end();
}

TEST(IndexRemove, EveryKindForgetsTheRemovedAndKeepsTheRest) {
  constexpr int kDim = 32, kFirst = 1500, kRemoved = 400, kAdded = 300;
  IndexOptions options;
  options.faiss_nlist = 16;  // trained at 16 · 39 = 624 vectors: before and after training are both exercised
  options.faiss_nprobe = 16;
  options.faiss_pq_bits = 4;
  for (const std::string& kind : index_names()) {
    if (kind == "faiss-hnsw") continue;
    SCOPED_TRACE(kind);
    std::mt19937 rng(3);
    std::map<int64_t, std::vector<float>> live;
    auto index = make_index(kind, kDim, IndexSpace::kInnerProduct, options);
    const auto add = [&](int64_t first, int count) {
      std::vector<float> rows;
      std::vector<int64_t> labels;
      for (int64_t label = first; label < first + count; ++label) {
        live[label] = unit_vector(kDim, rng);
        rows.insert(rows.end(), live[label].begin(), live[label].end());
        labels.push_back(label);
      }
      index->add(rows, labels);
    };
    // Removals before (labels 0..299 of 400 added) and after training.
    add(0, 400);
    std::vector<int64_t> early{3, 5, 7, 11, 13, 399, 12345};  // 12345: never stored
    ASSERT_TRUE(index->remove(early));
    for (int64_t label : early) live.erase(label);
    add(400, kFirst - 400);
    std::vector<int64_t> removed;
    for (int64_t label = 20; removed.size() < kRemoved; label += 3) removed.push_back(label);
    ASSERT_TRUE(index->remove(removed));
    for (int64_t label : removed) live.erase(label);
    add(kFirst, kAdded);
    ASSERT_EQ(index->size(), static_cast<int64_t>(live.size()));

    const std::set<int64_t> gone(removed.begin(), removed.end());
    int top1_agree = 0;
    constexpr int kQueries = 60;
    for (int q = 0; q < kQueries; ++q) {
      const auto query = unit_vector(kDim, rng);
      const auto found = index->search(query, 10);
      ASSERT_EQ(found.size(), 10u);
      for (const auto& n : found) {
        EXPECT_FALSE(gone.contains(n.label)) << n.label;
        EXPECT_TRUE(live.contains(n.label)) << n.label;
      }
      int64_t best = -1;
      double best_distance = 1e9;
      for (const auto& [label, v] : live) {
        double dot = 0;
        for (int j = 0; j < kDim; ++j) dot += double{query[static_cast<size_t>(j)]} * v[static_cast<size_t>(j)];
        if (1 - dot < best_distance) std::tie(best, best_distance) = std::pair(label, 1 - dot);
      }
      top1_agree += found.front().label == best;
      if (kind == "exact") {
        EXPECT_NEAR(found.front().distance, best_distance, 1e-5);
      }
    }
    if (kind == "exact" || kind == "auto") {
      EXPECT_EQ(top1_agree, kQueries);
    } else if (kind.starts_with("exact")) {  // rounded rows: a near tie may turn
      EXPECT_GE(top1_agree, kQueries - 3);
    } else if (kind != "faiss-ivf-pq") {  // pq: codes at 4 bits
      EXPECT_GE(top1_agree, kQueries * 9 / 10);
    }
  }
}

TEST(IndexRemove, FaissHnswRefusesAndStaysAsItWas) {
  if (!has(index_names(), "faiss-hnsw")) GTEST_SKIP() << "built without FAISS";
  std::mt19937 rng(4);
  auto index = make_index("faiss-hnsw", 8, IndexSpace::kL2);
  std::vector<float> rows;
  for (int i = 0; i < 20; ++i) {
    const auto v = unit_vector(8, rng);
    rows.insert(rows.end(), v.begin(), v.end());
  }
  std::vector<int64_t> labels(20);
  std::iota(labels.begin(), labels.end(), int64_t{0});
  index->add(rows, labels);
  const std::vector<int64_t> removed{1, 2};
  EXPECT_FALSE(index->remove(removed));
  EXPECT_EQ(index->size(), 20);
  EXPECT_EQ(index->search({rows.data() + 8, 8}, 1).front().label, 1);
}

TEST(IndexRemove, HnswPrefersANewGraphPastHalfRemoved) {
  std::mt19937 rng(5);
  auto index = make_index("hnsw", 8, IndexSpace::kL2);
  std::vector<float> rows;
  for (int i = 0; i < 10; ++i) {
    const auto v = unit_vector(8, rng);
    rows.insert(rows.end(), v.begin(), v.end());
  }
  std::vector<int64_t> labels(10);
  std::iota(labels.begin(), labels.end(), int64_t{0});
  index->add(rows, labels);
  EXPECT_TRUE(index->remove(std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(index->size(), 5);
  EXPECT_FALSE(index->remove(std::vector<int64_t>{5}));
  EXPECT_EQ(index->size(), 5);
}

// A gallery of people around their own directions, with vector ids.
struct Gallery {
  std::mt19937 rng{11};
  int dim = 32;
  int64_t next_id = 1;
  std::vector<std::vector<float>> centres;
  std::map<int64_t, StoredVector> vectors;

  StoredVector photo(int person) {
    std::normal_distribution<float> noise(0, 0.08f);
    StoredVector v;
    v.id = next_id++;
    v.identity = "person " + std::to_string(person);
    v.file = "photo " + std::to_string(v.id);
    v.vector = centres[static_cast<size_t>(person)];
    for (auto& x : v.vector) x += noise(rng);
    return v;
  }
  std::vector<StoredVector> all() const {
    std::vector<StoredVector> out;
    for (const auto& [id, v] : vectors) out.push_back(v);
    return out;
  }
};

TEST(IdentifierUpdate, RandomAddsRemovesAndRenamesAnswerAsAFreshBuild) {
  std::vector<std::string> kinds{"exact", "exact-fp16", "exact-int8", "hnsw"};
  if (has(index_names(), "faiss-ivf-flat")) kinds.push_back("faiss-ivf-flat");
  for (const std::string& kind : kinds)
    for (const std::string& aggregation : aggregation_names()) {
      SCOPED_TRACE(kind + " " + aggregation);
      Gallery g;
      constexpr int kPeople = 120;
      for (int p = 0; p < kPeople; ++p) g.centres.push_back(unit_vector(g.dim, g.rng));
      for (int p = 0; p < kPeople; ++p)
        for (int i = 0; i < 3; ++i) {
          auto v = g.photo(p);
          g.vectors[v.id] = v;
        }
      IdentifyOptions options;
      options.threshold = 0.4;
      options.aggregation = parse_aggregation(aggregation);
      options.index = kind;
      options.index_options.faiss_nlist = 8;
      options.index_options.faiss_nprobe = 8;
      Identifier updated(g.all(), options);
      bool every_in_place = true;
      for (int round = 0; round < 25; ++round) {
        std::vector<int64_t> removed;
        std::vector<StoredVector> added;
        std::uniform_int_distribution<int> person(0, kPeople - 1), count(0, 6);
        for (int i = count(g.rng); i > 0 && !g.vectors.empty(); --i) {  // removals
          auto it = g.vectors.begin();
          std::advance(it, std::uniform_int_distribution<size_t>(0, g.vectors.size() - 1)(g.rng));
          removed.push_back(it->first);
          g.vectors.erase(it);
        }
        for (int i = count(g.rng); i > 0; --i) {  // adds
          auto v = g.photo(person(g.rng));
          g.vectors[v.id] = v;
          added.push_back(v);
        }
        if (round % 5 == 0) {  // a rename: every vector of one person again under a new name
          const std::string from = "person " + std::to_string(person(g.rng));
          for (auto& [id, v] : g.vectors)
            if (v.identity == from && std::find(removed.begin(), removed.end(), id) == removed.end()) {
              v.identity = from + " renamed " + std::to_string(round);
              std::erase_if(added, [&](const StoredVector& a) { return a.id == id; });
              added.push_back(v);
            }
        }
        every_in_place = updated.update(removed, added) && every_in_place;
      }
      EXPECT_TRUE(every_in_place);
      const Identifier fresh(g.all(), options);
      IdentifyOptions exact_options = options;
      exact_options.index = "exact";
      const Identifier fresh_exact(g.all(), exact_options);
      EXPECT_EQ(updated.identities(), fresh.identities());
      EXPECT_EQ(updated.vector_count(), g.vectors.size());
      int top1_agree = 0;
      constexpr int kQueries = 80;
      for (int q = 0; q < kQueries; ++q) {
        auto query = g.photo(std::uniform_int_distribution<int>(0, kPeople - 1)(g.rng)).vector;
        const auto got = updated.identify(query, 5);
        if (kind.starts_with("exact")) {
          const auto want = fresh.identify(query, 5);
          ASSERT_EQ(got.candidates.size(), want.candidates.size());
          for (size_t i = 0; i < got.candidates.size(); ++i) {
            EXPECT_EQ(got.candidates[i].identity, want.candidates[i].identity);
            EXPECT_DOUBLE_EQ(got.candidates[i].distance, want.candidates[i].distance);
          }
          EXPECT_EQ(got.identity, want.identity);
        }
        top1_agree += got.candidates.front().identity == fresh_exact.identify(query, 1).candidates.front().identity;
      }
      EXPECT_GE(top1_agree, kQueries * 95 / 100);
      const std::string someone = updated.identities().front();
      const auto alikes = updated.look_alikes(someone, 3), fresh_alikes = fresh_exact.look_alikes(someone, 3);
      ASSERT_EQ(alikes.size(), fresh_alikes.size());
      for (size_t i = 0; i < alikes.size(); ++i) EXPECT_EQ(alikes[i].identity, fresh_alikes[i].identity);
    }
}

TEST(IdentifierUpdate, EmptyThenFilledThenEmptied) {
  IdentifyOptions options;
  options.threshold = 0.4;
  Identifier identifier({}, options);
  Gallery g;
  g.centres.push_back(unit_vector(g.dim, g.rng));
  const auto a = g.photo(0);
  identifier.update({}, {a});  // the first vectors fix the dimension
  EXPECT_EQ(identifier.identify(a.vector).identity, std::optional<std::string>("person 0"));
  EXPECT_TRUE(identifier.update(std::vector<int64_t>{a.id}, {}));
  EXPECT_EQ(identifier.identity_count(), 0u);
  EXPECT_FALSE(identifier.identify(a.vector).identity);
}

TEST(IdentifierUpdate, BadInputChangesNothing) {
  IdentifyOptions options;
  options.threshold = 0.4;
  Gallery g;
  g.centres.push_back(unit_vector(g.dim, g.rng));
  const auto a = g.photo(0);
  Identifier identifier({a}, options);
  auto wrong = g.photo(0);
  wrong.vector.resize(5);
  EXPECT_THROW(identifier.update(std::vector<int64_t>{a.id}, {wrong}), Error);
  auto zero = g.photo(0);
  std::fill(zero.vector.begin(), zero.vector.end(), 0.f);
  EXPECT_THROW(identifier.update({}, {zero}), Error);
  auto twice = g.photo(0);
  EXPECT_THROW(identifier.update({}, {twice, twice}), Error);
  EXPECT_EQ(identifier.vector_count(), 1u);
  EXPECT_EQ(identifier.identify(a.vector).identity, std::optional<std::string>("person 0"));
  // Hand-made vectors sharing an id cannot be told apart.
  StoredVector x = a, y = g.photo(0);
  x.id = y.id = 0;
  Identifier shared({x, y}, options);
  EXPECT_THROW(shared.update({}, {a}), Error);
}

TEST(IdentifierUpdate, SearchesDuringUpdatesSeeEachUpdateWhole) {
  for (const std::string kind : {"exact", "hnsw"}) {
    SCOPED_TRACE(kind);
    Gallery g;
    constexpr int kPeople = 30;
    for (int p = 0; p < kPeople + 1; ++p) g.centres.push_back(unit_vector(g.dim, g.rng));
    for (int p = 0; p < kPeople; ++p) {
      auto v = g.photo(p);
      g.vectors[v.id] = v;
    }
    IdentifyOptions options;
    options.threshold = 0.4;
    options.index = kind;
    // Either "person 0" (a) or "person 30" (b) is present, never both or neither.
    const StoredVector a = g.vectors.begin()->second, b = g.photo(kPeople);
    Identifier identifier(g.all(), options);
    std::atomic<bool> done{false};
    std::atomic<int> searches{0}, torn{0};
    std::vector<std::thread> searchers;
    for (int t = 0; t < 2; ++t)
      searchers.emplace_back([&] {
        std::mt19937 rng(static_cast<uint32_t>(t));
        while (!done) {
          const auto found = identifier.identify(unit_vector(g.dim, rng), kPeople + 5);
          const auto present = [&](const std::string& name) {
            return std::any_of(found.candidates.begin(), found.candidates.end(),
                               [&](const Candidate& c) { return c.identity == name; });
          };
          if (found.candidates.size() != kPeople || present("person 0") == present("person 30")) ++torn;
          ++searches;
        }
      });
    // At least 400 updates, and on until the searchers have run 200 times.
    for (int i = 0; i < 400 || (searches < 200 && i < 1'000'000); ++i) {
      if (i % 2 == 0) identifier.update(std::vector<int64_t>{a.id}, {b});
      else identifier.update(std::vector<int64_t>{b.id}, {a});
      std::this_thread::yield();
    }
    done = true;
    for (auto& t : searchers) t.join();
    EXPECT_GT(searches.load(), 0);
    EXPECT_EQ(torn.load(), 0);
  }
}

}  // namespace
