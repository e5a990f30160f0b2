// The training loop (train.h).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <set>
#include <sstream>

#include "facekit/error.h"
#include "facekit/eval.h"
#include "facekit/limits.h"
#include "facekit/train.h"
#include "train/batches.h"
#include "train/checkpoint.h"
#include "train/export.h"
#include "train/losses.h"
#include "train/run_setup.h"
#include "train/validation.h"

namespace facekit::train {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& o, std::vector<torch::Tensor> parameters) {
  if (o.optimizer == "adamw")
    return std::make_unique<torch::optim::AdamW>(parameters, torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::SGD>(
      parameters, torch::optim::SGDOptions(o.lr).momentum(0.9).nesterov(true).weight_decay(o.weight_decay));
}

// Cosine decay over the epochs, from the peak at epoch 1.
double epoch_lr(const TrainOptions& o, int epoch) {
  return o.lr * 0.5 * (1 + std::cos(std::numbers::pi * (epoch - 1) / o.epochs));
}

// The batches of one epoch, as indices into the training samples.
class BatchPlan {
 public:
  BatchPlan(const TrainOptions& o, const DataSplit& split, bool needs_pk) : options_(o) {
    const int count = static_cast<int>(split.train_images.size());
    if (needs_pk || o.batch_size == 0) {
      std::vector<std::vector<int>> by_identity(split.classes);
      for (int i = 0; i < count; ++i) by_identity[split.train_labels[i]].push_back(i);
      by_identity_ = std::move(by_identity);
      const int per_batch = PkSampler(by_identity_, o.identities_per_batch, o.images_per_identity).batch_size();
      steps_ = o.steps_per_epoch > 0 ? o.steps_per_epoch : (count + per_batch - 1) / per_batch;
    } else {
      count_ = count;
      steps_ = o.steps_per_epoch > 0 ? o.steps_per_epoch : (count + o.batch_size - 1) / o.batch_size;
    }
  }

  std::vector<std::vector<int>> epoch(std::mt19937_64& rng) {
    std::vector<std::vector<int>> batches;
    if (!by_identity_.empty()) {
      // A sampler of its own per epoch: what a run resumes from holds no sampler state.
      PkSampler sampler(by_identity_, options_.identities_per_batch, options_.images_per_identity);
      for (int s = 0; s < steps_; ++s) batches.push_back(sampler.next_batch(rng));
      return batches;
    }
    while (static_cast<int>(batches.size()) < steps_) {  // as many passes as the steps take
      auto pass = shuffled_batches(count_, options_.batch_size, rng);
      batches.insert(batches.end(), pass.begin(), pass.end());
    }
    batches.resize(steps_);
    return batches;
  }

 private:
  const TrainOptions& options_;
  std::vector<std::vector<int>> by_identity_;  // training samples per label; empty: shuffled batches
  int count_ = 0, steps_ = 0;
};

torch::Tensor attribute_loss(const TrainOptions& o, const DataSplit& split, const MultiTaskOutput& out,
                             const std::vector<int>& batch, const torch::Device& device) {
  torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(device));
  for (size_t a = 0; a < o.attributes.size(); ++a) {
    std::vector<int64_t> rows, targets;
    for (size_t r = 0; r < batch.size(); ++r)
      if (const int label = split.attributes.labels[a][split.train_images[batch[r]]]; label >= 0) {
        rows.push_back(static_cast<int64_t>(r));
        targets.push_back(label);
      }
    if (rows.empty()) continue;
    const torch::Tensor logits = out.logits[a].index_select(0, torch::tensor(rows).to(device));
    total = total + o.attributes[a].weight * focal_loss(logits, torch::tensor(targets).to(device), o.attributes[a].focal_gamma);
  }
  return total;
}

std::string rng_state(const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

// The module's parameters and buffers as an in-memory archive.
std::string serialized(torch::nn::Module& module) {
  std::ostringstream out;
  torch::serialize::OutputArchive archive;
  module.save(archive);
  archive.save_to(out);
  return out.str();
}

// Writes the network's backbone as ONNX with its card. The model id is the
// file's stem (not its path), so that `facekit calibrate` can store
// thresholds under it.
void export_model(MultiTaskNet& net, const std::string& path, double cosine_threshold) {
  RecognizerCard card = training_card(net->backbone(), fs::path(path).stem().string());
  card.model = card.name;
  card.thresholds["cosine"] = cosine_threshold;
  export_recognizer(net->backbone(), card, path);
}

}  // namespace

TrainResult train(const TrainOptions& options, const EpochCallback& on_epoch, const BatchCallback& on_batch) {
  const DataSplit split = split_data(options);
  if (options.threads > 0) at::set_num_threads(thread_count(options.threads, "TrainOptions::threads"));
  torch::manual_seed(options.seed);
  const torch::Device device = pick_device(options.device);
  const std::vector<ChannelRole> roles = split.modalities.roles();

  TrainResult result;
  result.device = device.is_cuda() ? "cuda" : "cpu";
  result.train_identities = split.classes;
  for (int id : std::set<int>(split.val_labels.begin(), split.val_labels.end()))
    result.val_identity_names.push_back(split.folder.identities[id]);
  result.val_identities = static_cast<int>(result.val_identity_names.size());
  result.train_samples = static_cast<int>(split.train_images.size());
  result.val_samples = static_cast<int>(split.val_images.size());
  result.channels = split.modalities.channels();

  const std::vector<torch::Tensor> train_samples = build_samples(
      split.folder, split.train_images, split.modalities, options.input_size, options.stereo_images, options.seed,
      options.align);
  const std::vector<torch::Tensor> val_samples = build_samples(split.folder, split.val_images, split.modalities,
                                                               options.input_size, options.stereo_images,
                                                               options.seed + 1, options.align);

  MultiTaskNet net = make_network(options, split);
  net->to(device);
  LossOptions loss_options;
  loss_options.name = options.loss;
  loss_options.embedding_dim = options.embedding_dim;
  loss_options.num_classes = split.classes;
  loss_options.margin = options.margin;
  loss_options.scale = options.scale;
  const std::shared_ptr<IdentityLoss> loss = make_identity_loss(loss_options);
  loss->to(device);
  std::vector<torch::Tensor> parameters = net->parameters();
  for (const auto& p : loss->parameters()) parameters.push_back(p);
  const auto optimizer = make_optimizer(options, parameters);

  const std::string print = fingerprint(options, split);
  const fs::path dir = options.checkpoint_dir;
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    check(!ec, dir.string(), "cannot create the checkpoint folder (" + ec.message() + ")");
  }
  std::mt19937_64 rng(options.seed);
  RunState state;
  std::string best_weights;  // the best epoch's network, serialised, for the export
  if (options.resume && !dir.empty() && fs::exists(dir / "last.pt")) {
    if (fs::exists(dir / "best.pt")) {  // first: building a network draws from libtorch's generator
      MultiTaskNet best = make_network(options, split);
      load_model_weights((dir / "best.pt").string(), print, *best);
      best_weights = serialized(*best);
    }
    state = load_checkpoint((dir / "last.pt").string(), print, device, *net, *loss, *optimizer);
    std::istringstream(state.rng) >> rng;
  }

  BatchPlan plan(options, split, loss->needs_pk_batches());
  AugmentOptions augment_options;
  // A small shift only: the faces are aligned, and a shift of an eighth of
  // the side kept a MobileFaceNet (its global depthwise head is
  // position-specific) at chance on Yale B, where 1/32 learns (docs/training.md).
  augment_options.max_shift = options.input_size / 32;
  for (int epoch = state.epoch + 1; epoch <= options.epochs; ++epoch) {
    const auto start = Clock::now();
    const double lr = epoch_lr(options, epoch);
    for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
    net->train();
    const auto batches = plan.epoch(rng);
    double loss_sum = 0;
    int64_t images = 0;
    for (size_t b = 0; b < batches.size(); ++b) {
      std::vector<torch::Tensor> inputs;
      std::vector<int64_t> labels;
      for (int i : batches[b]) {
        inputs.push_back(options.augment ? augment(train_samples[i], roles, augment_options, rng) : train_samples[i]);
        labels.push_back(split.train_labels[i]);
      }
      const MultiTaskOutput out = net->forward(normalize_batch(torch::stack(inputs), roles).to(device));
      torch::Tensor batch_loss = loss->forward(out.embedding, torch::tensor(labels).to(device));
      if (!options.attributes.empty()) batch_loss = batch_loss + attribute_loss(options, split, out, batches[b], device);
      const double value = batch_loss.item<double>();
      check(std::isfinite(value), "training", "the loss became " + std::to_string(value) + " in epoch " +
                                                  std::to_string(epoch) + " (try a lower --lr)");
      optimizer->zero_grad();
      batch_loss.backward();
      optimizer->step();
      loss_sum += value;
      images += static_cast<int64_t>(batches[b].size());
      if (on_batch) on_batch(static_cast<int>(b) + 1, static_cast<int>(batches.size()), loss_sum / double(b + 1));
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();

    const auto pairs = all_pairs(embed_samples(net, val_samples, roles, device), split.val_labels);
    EpochReport report;
    report.epoch = epoch;
    report.train_loss = loss_sum / static_cast<double>(std::max<size_t>(batches.size(), 1));
    report.val_auc = eval::auc(pairs);
    const eval::Eer eer = eval::equal_error_rate(eval::roc(pairs));
    report.val_eer = eer.rate;
    report.val_eer_threshold = eer.threshold;
    report.lr = lr;
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    report.images_per_second = static_cast<double>(images) / std::max(train_seconds, 1e-9);

    state.epoch = epoch;
    state.history.push_back(report);
    state.rng = rng_state(rng);
    if (state.best_epoch == 0 || report.val_auc > state.history[state.best_epoch - 1].val_auc) {
      state.best_epoch = epoch;
      best_weights = serialized(*net);
      if (!dir.empty()) save_checkpoint((dir / "best.pt").string(), print, *net, *loss, *optimizer, state);
    }
    if (!dir.empty()) save_checkpoint((dir / "last.pt").string(), print, *net, *loss, *optimizer, state);
    if (on_epoch) on_epoch(report);
  }
  result.epochs = state.history;
  result.best_epoch = state.best_epoch;

  if (!options.onnx_out.empty() && !best_weights.empty()) {
    MultiTaskNet best = make_network(options, split);
    torch::serialize::InputArchive archive;
    std::istringstream in(best_weights);
    archive.load_from(in);
    best->load(archive);
    best->eval();
    const EpochReport& at = state.history[state.best_epoch - 1];
    export_model(best, options.onnx_out, at.val_eer_threshold);
  }
  return result;
}

void export_checkpoint(const TrainOptions& options, const std::string& checkpoint, const std::string& onnx_path,
                       double cosine_threshold) {
  MultiTaskNet net = load_trained_network(options, checkpoint);
  export_model(net, onnx_path, cosine_threshold);
}

}  // namespace facekit::train
