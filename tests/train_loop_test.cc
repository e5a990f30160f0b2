// The training loop on a small generated folder: a fixed seed repeats a run
// exactly, a resumed run continues as the uninterrupted one, and the exported
// ONNX model gives libtorch's embeddings in facekit's own runtime.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "facekit/embed.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/train.h"
#include "train/modalities.h"
#include "train/run_setup.h"

namespace facekit::train {
namespace {

namespace fs = std::filesystem;

constexpr int kSize = 32;

// 6 identities × 6 images: each identity a smooth random colour pattern of
// its own, each image of it a shifted, relit, noisy copy.
fs::path make_folder(const std::string& tag) {
  const fs::path root = fs::temp_directory_path() / ("facekit_train_loop_" + tag + std::to_string(::getpid()));
  fs::remove_all(root);
  cv::RNG rng(1234);
  for (int id = 0; id < 6; ++id) {
    cv::Mat coarse(6, 6, CV_32FC3), face;
    rng.fill(coarse, cv::RNG::UNIFORM, cv::Scalar::all(30), cv::Scalar::all(225));
    cv::resize(coarse, face, cv::Size(kSize + 8, kSize + 8), 0, 0, cv::INTER_CUBIC);
    fs::create_directories(root / ("id" + std::to_string(id)));
    for (int i = 0; i < 6; ++i) {
      const int dx = rng.uniform(0, 8), dy = rng.uniform(0, 8);
      cv::Mat view = face(cv::Rect(dx, dy, kSize, kSize)) * rng.uniform(0.8, 1.2), noise(kSize, kSize, CV_32FC3), out;
      rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
      cv::Mat(view + noise).convertTo(out, CV_8UC3);
      write_image((root / ("id" + std::to_string(id)) / (std::to_string(i) + ".png")).string(), out);
    }
  }
  return root;
}

TrainOptions tiny_options(const fs::path& data) {
  TrainOptions o;
  o.data_dir = data.string();
  o.backbone = "iresnet18";
  o.embedding_dim = 16;
  o.input_size = kSize;
  o.loss = "arcface";
  o.epochs = 2;
  o.steps_per_epoch = 2;
  o.identities_per_batch = 3;
  o.images_per_identity = 3;
  o.val_share = 0.34;  // 2 validation identities, 4 training ones
  o.lr = 0.01;
  o.threads = 1;
  o.device = "cpu";
  return o;
}

class TrainLoop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new fs::path(make_folder("data")); }
  static void TearDownTestSuite() {
    fs::remove_all(*data_);
    delete data_;
  }
  static fs::path* data_;
};
fs::path* TrainLoop::data_ = nullptr;

std::vector<double> batch_losses(const TrainOptions& o) {
  std::vector<double> losses;
  train(o, {}, [&](int batch, int, double mean) { losses.push_back(mean * batch); });  // running mean → sum
  return losses;
}

TEST_F(TrainLoop, TheSameSeedGivesTheSameLosses) {
  TrainOptions o = tiny_options(*data_);
  o.epochs = 1;
  const std::vector<double> first = batch_losses(o), second = batch_losses(o);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first, second);
  o.seed = 2;
  EXPECT_NE(batch_losses(o), first) << "the seed changes nothing";
}

TEST_F(TrainLoop, AResumedRunContinuesAsTheUninterruptedOne) {
  const fs::path dir = fs::temp_directory_path() / ("facekit_train_resume_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TrainOptions whole = tiny_options(*data_);
  whole.checkpoint_dir = (dir / "whole").string();
  const TrainResult uninterrupted = train(whole);
  ASSERT_EQ(uninterrupted.epochs.size(), 2u);

  TrainOptions part = whole;
  part.checkpoint_dir = (dir / "part").string();
  part.epochs = 1;  // epoch 1's learning rate does not depend on the epoch count
  train(part);
  part.epochs = 2;
  part.resume = true;
  std::vector<int> epochs_run;
  const TrainResult resumed = train(part, [&](const EpochReport& r) { epochs_run.push_back(r.epoch); });
  EXPECT_EQ(epochs_run, std::vector<int>{2});
  ASSERT_EQ(resumed.epochs.size(), 2u);
  for (int e = 0; e < 2; ++e) {
    EXPECT_EQ(resumed.epochs[e].train_loss, uninterrupted.epochs[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.epochs[e].val_auc, uninterrupted.epochs[e].val_auc) << "epoch " << e + 1;
    EXPECT_EQ(resumed.epochs[e].val_eer, uninterrupted.epochs[e].val_eer) << "epoch " << e + 1;
  }
  // A checkpoint of other model options is refused.
  TrainOptions other = part;
  other.embedding_dim = 8;
  EXPECT_THROW(train(other), Error);
  fs::remove_all(dir);
}

// An attribute head (identity parity, from a CSV) adds its loss to the identity loss.
TEST_F(TrainLoop, AnAttributeHeadTrainsBesideTheEmbedding) {
  const fs::path csv = *data_ / "parity.csv";
  {
    std::ofstream out(csv);
    out << "path,parity\n";
    for (int id = 0; id < 6; ++id)
      for (int i = 0; i < 6; ++i) out << "id" << id << "/" << i << ".png," << id % 2 << "\n";
  }
  TrainOptions o = tiny_options(*data_);
  o.epochs = 1;
  o.attributes_csv = csv.string();
  o.attributes.push_back({"parity", 0.f, false, 2.f});  // the same network, the head's loss weighted 0
  const std::vector<double> unweighted = batch_losses(o);
  o.attributes[0].weight = 1.f;
  const std::vector<double> weighted = batch_losses(o);
  ASSERT_EQ(weighted.size(), unweighted.size());
  // The first batch is scored before any step: the same identity loss, plus the head's.
  EXPECT_GT(weighted[0], unweighted[0] + 0.1) << "the attribute loss is not added";
  o.attributes[0].name = "age";
  EXPECT_THROW(train(o), Error);
  fs::remove(csv);
}

double cosine(const std::vector<float>& a, const torch::Tensor& b) {
  const torch::Tensor t = torch::tensor(a);
  return (t.dot(b) / (t.norm() * b.norm())).item<double>();
}

TEST_F(TrainLoop, TheExportedModelEmbedsAsLibtorchDoes) {
  const fs::path dir = fs::temp_directory_path() / ("facekit_train_export_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TrainOptions o = tiny_options(*data_);
  o.checkpoint_dir = (dir / "checkpoints").string();
  o.onnx_out = (dir / "tiny.onnx").string();
  const TrainResult result = train(o);
  ASSERT_TRUE(fs::exists(o.onnx_out));

  const std::unique_ptr<Recognizer> runtime = make_recognizer(o.onnx_out);
  EXPECT_EQ(runtime->dimension(), o.embedding_dim);
  EXPECT_EQ(runtime->card().input_size, cv::Size(kSize, kSize));
  EXPECT_NEAR(runtime->card().thresholds.at("cosine"), result.epochs[result.best_epoch - 1].val_eer_threshold, 1e-6);

  MultiTaskNet net = load_trained_network(o, (fs::path(o.checkpoint_dir) / "best.pt").string());
  const std::vector<ChannelRole> roles = parse_modalities("image").roles();
  for (const char* file : {"id0/0.png", "id3/2.png", "id5/5.png"}) {
    const cv::Mat rgb = read_image((*data_ / file).string());
    cv::Mat unit;
    rgb.convertTo(unit, CV_32FC3, 1 / 255.0);
    const torch::Tensor input =
        torch::from_blob(unit.data, {1, kSize, kSize, 3}, torch::kFloat32).permute({0, 3, 1, 2}).contiguous();
    torch::NoGradGuard no_grad;
    const torch::Tensor want = net->forward(normalize_batch(input, roles)).embedding[0];
    const std::vector<float> got = runtime->embed(rgb);
    ASSERT_EQ(got.size(), static_cast<size_t>(o.embedding_dim));
    EXPECT_GE(cosine(got, want), 0.9999) << file;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace facekit::train
