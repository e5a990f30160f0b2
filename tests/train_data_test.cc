// The training data pipeline: folder reading, identity split, P×K batches,
// shuffled batches, augmentation with one draw per sample, normalisation,
// and photometric stereo samples from Yale B.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "testing.h"
#include "train/attributes.h"
#include "train/augment.h"
#include "train/batches.h"
#include "train/face_folder.h"
#include "train/modalities.h"

namespace facekit::train {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<int>> identities_of_sizes(const std::vector<int>& sizes) {
  std::vector<std::vector<int>> out;
  int next = 0;
  for (int size : sizes) {
    out.emplace_back();
    for (int i = 0; i < size; ++i) out.back().push_back(next++);
  }
  return out;
}

TEST(TrainPkSampler, EveryBatchIsPIdentitiesTimesKImages) {
  const std::vector<int> sizes = {10, 8, 3, 1, 6};  // identity 3 has no pair; identity 2 fewer than K
  const auto by_identity = identities_of_sizes(sizes);
  std::map<int, int> owner;
  for (size_t id = 0; id < by_identity.size(); ++id)
    for (int s : by_identity[id]) owner[s] = static_cast<int>(id);
  PkSampler sampler(by_identity, 3, 4);
  std::mt19937_64 rng(7);
  std::map<int, int> drawn;  // identity → batches it was in
  for (int b = 0; b < 40; ++b) {
    const std::vector<int> batch = sampler.next_batch(rng);
    ASSERT_EQ(batch.size(), 12u);
    std::set<int> ids;
    for (int group = 0; group < 3; ++group) {
      const int id = owner.at(batch[group * 4]);
      ids.insert(id);
      ++drawn[id];
      std::set<int> distinct;
      for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(owner.at(batch[group * 4 + k]), id) << "a group mixes identities";
        distinct.insert(batch[group * 4 + k]);
      }
      // K distinct images when the identity has them; all 3 (plus a repeat) otherwise.
      EXPECT_EQ(distinct.size(), static_cast<size_t>(std::min(sizes[id], 4)));
    }
    EXPECT_EQ(ids.size(), 3u) << "identities repeat within a batch";
  }
  EXPECT_EQ(drawn.count(3), 0u) << "an identity with one image was drawn";
  // 40 batches × 3 identities over 4 eligible ones: 30 each, give or take two.
  for (const auto& [id, count] : drawn) EXPECT_NEAR(count, 30, 2) << "identity " << id;
}

TEST(TrainPkSampler, PIsCappedAndBadShapesAreRefused) {
  PkSampler sampler(identities_of_sizes({4, 4}), 6, 2);
  EXPECT_EQ(sampler.identities_per_batch(), 2);
  std::mt19937_64 rng(1);
  EXPECT_EQ(sampler.next_batch(rng).size(), 4u);
  EXPECT_THROW(PkSampler(identities_of_sizes({4, 1}), 2, 2), Error);
  EXPECT_THROW(PkSampler(identities_of_sizes({4, 4}), 2, 1), Error);
}

TEST(TrainBatches, ShuffledBatchesCoverEverySampleOnce) {
  std::mt19937_64 rng(3);
  const auto batches = shuffled_batches(10, 4, rng);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].size(), 2u);
  std::multiset<int> seen;
  for (const auto& b : batches) seen.insert(b.begin(), b.end());
  EXPECT_EQ(seen, (std::multiset<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // A last batch of one sample is dropped (batch norm cannot train on it).
  EXPECT_EQ(shuffled_batches(9, 4, rng).size(), 2u);
  EXPECT_THROW(shuffled_batches(9, 1, rng), Error);
}

TEST(TrainSplit, IdentitiesSplitDisjointlyAndBySeed) {
  const IdentitySplit a = split_identities(10, 0.4, 5);
  EXPECT_EQ(a.val.size(), 4u);
  EXPECT_EQ(a.train.size(), 6u);
  std::set<int> all(a.train.begin(), a.train.end());
  for (int v : a.val) EXPECT_TRUE(all.insert(v).second) << v << " is on both sides";
  EXPECT_EQ(all, (std::set<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const IdentitySplit again = split_identities(10, 0.4, 5);
  EXPECT_EQ(again.val, a.val);
  bool differs = false;
  for (uint64_t seed = 6; seed < 16 && !differs; ++seed) differs = split_identities(10, 0.4, seed).val != a.val;
  EXPECT_TRUE(differs) << "the seed does not change the split";
  const IdentitySplit tiny = split_identities(2, 0.9, 1);  // each side keeps one
  EXPECT_EQ(tiny.val.size(), 1u);
  EXPECT_EQ(tiny.train.size(), 1u);
  EXPECT_THROW(split_identities(1, 0.5, 1), Error);
  EXPECT_THROW(split_identities(4, 1.0, 1), Error);
}

void write_pgm(const fs::path& path, int value) {
  std::ofstream out(path, std::ios::binary);
  out << "P5\n4 4\n255\n" << std::string(16, static_cast<char>(value));
}

TEST(TrainFaceFolder, ReadsIdentityFoldersAndSkipsTheRest) {
  const fs::path root = fs::temp_directory_path() / ("facekit_train_folder_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "bob");
  fs::create_directories(root / "alice");
  fs::create_directories(root / "empty");
  write_pgm(root / "bob" / "2.pgm", 10);
  write_pgm(root / "bob" / "1.pgm", 20);
  write_pgm(root / "bob" / "yaleB99_P00_Ambient.pgm", 0);
  std::ofstream(root / "bob" / "notes.txt") << "not an image";
  write_pgm(root / "alice" / "a.PGM", 30);
  write_pgm(root / "stray.pgm", 40);
  const FaceFolder f = read_face_folder(root);
  EXPECT_EQ(f.identities, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_EQ(f.images.size(), 3u);
  EXPECT_EQ(f.images[0].filename(), "a.PGM");
  EXPECT_EQ(f.images[1].filename(), "1.pgm");
  EXPECT_EQ(f.images[2].filename(), "2.pgm");
  EXPECT_EQ(f.identity, (std::vector<int>{0, 1, 1}));
  fs::remove_all(root / "alice");
  EXPECT_THROW(read_face_folder(root), Error);  // one identity left
  fs::remove_all(root);
  EXPECT_THROW(read_face_folder(root), Error);
}

TEST(TrainAttributes, ReadsAClassPerImageFromTheCsv) {
  const fs::path root = fs::temp_directory_path() / ("facekit_train_attributes_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a");
  fs::create_directories(root / "b");
  for (const char* f : {"a/1.pgm", "a/2.pgm", "b/1.pgm"}) write_pgm(root / f, 50);
  const FaceFolder folder = read_face_folder(root);
  std::ofstream(root / "labels.csv") << "path,glasses,smile\na/1.pgm,1,0\nb/1.pgm,0,\na/2.pgm,,1\n";
  const AttributeLabels labels = read_attribute_labels(root / "labels.csv", root, folder, {"smile", "glasses"});
  EXPECT_EQ(labels.classes, (std::vector<int>{2, 2}));
  // Images in folder order a/1, a/2, b/1; an empty field is unknown (−1).
  EXPECT_EQ(labels.labels[0], (std::vector<int>{0, 1, -1}));
  EXPECT_EQ(labels.labels[1], (std::vector<int>{1, -1, 0}));
  std::ofstream(root / "one.csv") << "path,glasses\na/1.pgm,0\n";  // a single class cannot be learnt
  EXPECT_THROW(read_attribute_labels(root / "one.csv", root, folder, {"glasses"}), Error);
  EXPECT_THROW(read_attribute_labels(root / "labels.csv", root, folder, {"age"}), Error);  // no column
  std::ofstream(root / "bad.csv") << "path,glasses\na/1.pgm,yes\n";
  EXPECT_THROW(read_attribute_labels(root / "bad.csv", root, folder, {"glasses"}), Error);
  std::ofstream(root / "stranger.csv") << "path,glasses\nc/9.pgm,1\na/1.pgm,0\n";
  EXPECT_THROW(read_attribute_labels(root / "stranger.csv", root, folder, {"glasses"}), Error);
  fs::remove_all(root);
}

// A ramp that tells every pixel apart, so a shift or flip can be recognised.
torch::Tensor ramp(int64_t size) {
  return torch::arange(size * size, torch::kFloat32).view({size, size}) / float(size * size);
}

TEST(TrainAugment, OneDrawMovesAndLightsEveryChannelAlike) {
  const torch::Tensor channel = ramp(16);
  const torch::Tensor sample = torch::stack({channel, channel});
  const std::vector<ChannelRole> roles = {ChannelRole::kIntensity, ChannelRole::kIntensity};
  AugmentOptions options;
  options.max_shift = 3;
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const torch::Tensor out = augment(sample, roles, options, rng);
    EXPECT_TRUE(torch::equal(out[0], out[1])) << "trial " << trial << ": the channels were augmented differently";
  }
}

// With brightness and noise off, the result is the input shifted by at most
// max_shift (zeros come in), then perhaps mirrored; found by trying them all.
TEST(TrainAugment, ShiftAndFlipAreWhatTheyClaimAndFlipNegatesNormalX) {
  const int64_t n = 12;
  const torch::Tensor intensity = ramp(n) + 0.1;
  const torch::Tensor normal_x = torch::full({n, n}, 0.5f);
  const torch::Tensor depth = ramp(n);
  const torch::Tensor sample = torch::stack({intensity, normal_x, depth});
  const std::vector<ChannelRole> roles = {ChannelRole::kIntensity, ChannelRole::kNormalX, ChannelRole::kGeometry};
  AugmentOptions options;
  options.max_shift = 2;
  options.brightness = 0;
  options.noise = 0;
  std::mt19937_64 rng(5);
  int flips = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const torch::Tensor out = augment(sample, roles, options, rng);
    bool matched = false;
    for (int dy = -2; dy <= 2 && !matched; ++dy)
      for (int dx = -2; dx <= 2 && !matched; ++dx)
        for (bool flip : {false, true}) {
          torch::Tensor want = torch::zeros_like(sample);
          for (int64_t y = 0; y < n; ++y)
            for (int64_t x = 0; x < n; ++x) {
              const int64_t sy = y - dy, sx = x - dx;
              if (sy >= 0 && sy < n && sx >= 0 && sx < n)
                want.index_put_({torch::indexing::Slice(), y, x}, sample.index({torch::indexing::Slice(), sy, sx}));
            }
          if (flip) {
            want = want.flip({2});
            want[1].neg_();
          }
          if (torch::allclose(out, want)) {
            matched = true;
            flips += flip;
          }
        }
    EXPECT_TRUE(matched) << "trial " << trial << " is no shift-and-flip of the sample";
  }
  EXPECT_GT(flips, 0);
  EXPECT_LT(flips, 24);
  EXPECT_THROW(augment(sample, {ChannelRole::kIntensity}, options, rng), Error);
}

TEST(TrainModalities, NamesChannelsAndNormalisation) {
  EXPECT_EQ(parse_modalities("image").channels(), 3);
  EXPECT_EQ(parse_modalities("stereo").channels(), 5);
  EXPECT_EQ(parse_modalities("image+stereo").channels(), 8);
  EXPECT_THROW(parse_modalities("depth"), Error);
  // White is (255 − 127.5) / 128 and black −127.5 / 128, as the exported card
  // normalises 8-bit pixels; a normal component is left as it is.
  const torch::Tensor batch = torch::tensor({1.f, 0.f, 0.25f}).view({1, 3, 1, 1});
  const torch::Tensor out =
      normalize_batch(batch, {ChannelRole::kIntensity, ChannelRole::kIntensity, ChannelRole::kNormalX});
  EXPECT_FLOAT_EQ(out[0][0][0][0].item<float>(), 127.5f / 128);
  EXPECT_FLOAT_EQ(out[0][1][0][0].item<float>(), -127.5f / 128);
  EXPECT_FLOAT_EQ(out[0][2][0][0].item<float>(), 0.25f);
}

std::optional<fs::path> yaleb_dir() {
  if (const char* env = std::getenv("FACEKIT_DATA_DIR"); env && fs::is_directory(fs::path(env) / "yaleb"))
    return fs::path(env) / "yaleb";
  if (const auto data = testing::shared_data_dir(); data && fs::is_directory(*data / "yaleb")) return *data / "yaleb";
  return std::nullopt;
}

// Stereo maps of a real face: the normals of a face seen from the front point
// mostly toward the camera, and the image channels are the picture itself.
TEST(TrainModalities, YaleBStereoSamplesHoldTheImageAndFrontFacingNormals) {
  const auto root = yaleb_dir();
  if (!root) GTEST_SKIP() << "Yale B not found at ../shared/data/yaleb (or $FACEKIT_DATA_DIR/yaleb)";
  const FaceFolder folder = read_face_folder(*root);
  std::vector<int> members;  // the first subject's images
  for (size_t i = 0; i < folder.images.size() && folder.identity[i] == 0; ++i) members.push_back(static_cast<int>(i));
  members.resize(std::min<size_t>(members.size(), 12));
  const auto samples = build_samples(folder, members, parse_modalities("image+stereo"), 32, 8, 3);
  ASSERT_EQ(samples.size(), members.size());
  for (size_t s : {size_t{0}, size_t{5}}) {
    const torch::Tensor& t = samples[s];
    ASSERT_EQ(t.sizes(), (std::vector<int64_t>{8, 32, 32}));
    EXPECT_TRUE(torch::equal(t[0], t[1]) && torch::equal(t[1], t[2])) << "a grey image gives three equal channels";
    const torch::Tensor nz = t[6];
    const torch::Tensor centre = nz.index({torch::indexing::Slice(8, 24), torch::indexing::Slice(8, 24)});
    EXPECT_GT((centre > 0.5).to(torch::kFloat32).mean().item<float>(), 0.8f) << "sample " << s;
  }
  // Aligned crops (the runtime's --no-detect framing) apply to images only.
  EXPECT_THROW(build_samples(folder, {members[0]}, parse_modalities("image+stereo"), 32, 8, 3, true), Error);
  // An image without a light code cannot be solved.
  const fs::path odd = fs::temp_directory_path() / ("facekit_train_nolight_" + std::to_string(::getpid()));
  fs::create_directories(odd / "a");
  fs::create_directories(odd / "b");
  for (const char* id : {"a", "b"})
    for (int i = 0; i < 3; ++i) write_pgm(odd / id / (std::to_string(i) + ".pgm"), 100 + 10 * i);
  const FaceFolder plain = read_face_folder(odd);
  EXPECT_THROW(build_samples(plain, {0, 1, 2}, parse_modalities("stereo"), 16, 3, 1), Error);
  fs::remove_all(odd);
}

}  // namespace
}  // namespace facekit::train
