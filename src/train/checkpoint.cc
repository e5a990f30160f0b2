#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cstring>
#include <filesystem>

#include "facekit/error.h"

namespace facekit::train {

namespace {

torch::Tensor bytes_tensor(const std::string& s) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(s.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), s.data(), s.size());
  return t;
}

std::string tensor_bytes(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), static_cast<size_t>(c.numel()));
}

constexpr int kReportFields = 8;

torch::Tensor history_tensor(const std::vector<EpochReport>& history) {
  torch::Tensor t = torch::zeros({static_cast<int64_t>(history.size()), kReportFields}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < history.size(); ++i) {
    const EpochReport& r = history[i];
    const double row[kReportFields] = {double(r.epoch), r.train_loss, r.val_auc, r.val_eer, r.val_eer_threshold,
                                       r.lr, r.seconds, r.images_per_second};
    for (int j = 0; j < kReportFields; ++j) a[i][j] = row[j];
  }
  return t;
}

std::vector<EpochReport> history_from(const torch::Tensor& t) {
  std::vector<EpochReport> history;
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i)
    history.push_back({static_cast<int>(a[i][0]), a[i][1], a[i][2], a[i][3], a[i][4], a[i][5], a[i][6], a[i][7]});
  return history;
}

void check_fingerprint(torch::serialize::InputArchive& archive, const std::string& path, const std::string& fingerprint) {
  torch::Tensor stored;
  archive.read("fingerprint", stored);
  const std::string found = tensor_bytes(stored);
  check(found == fingerprint, path, "was written for other model options (" + found + "), not " + fingerprint);
}

torch::serialize::InputArchive open(const std::string& path, const torch::Device& device) {
  check(std::filesystem::is_regular_file(path), path, "no such checkpoint");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, device);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable checkpoint (" + e.what_without_backtrace() + ")");
  }
  return archive;
}

}  // namespace

void save_checkpoint(const std::string& path, const std::string& fingerprint, torch::nn::Module& model,
                     torch::nn::Module& loss, torch::optim::Optimizer& optimizer, const RunState& state) {
  torch::serialize::OutputArchive archive, model_archive, loss_archive, optimizer_archive;
  model.save(model_archive);
  loss.save(loss_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("loss", loss_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("fingerprint", bytes_tensor(fingerprint));
  archive.write("epoch", torch::tensor(static_cast<int64_t>(state.epoch)));
  archive.write("best_epoch", torch::tensor(static_cast<int64_t>(state.best_epoch)));
  archive.write("rng", bytes_tensor(state.rng));
  archive.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  archive.write("history", history_tensor(state.history));
  const std::string temporary = path + ".tmp";
  try {
    archive.save_to(temporary);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot write the checkpoint (" + e.what_without_backtrace() + ")");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  check(!ec, path, "cannot write the checkpoint (" + ec.message() + ")");
}

RunState load_checkpoint(const std::string& path, const std::string& fingerprint, const torch::Device& device,
                         torch::nn::Module& model, torch::nn::Module& loss, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive = open(path, device);
  RunState state;
  try {
    check_fingerprint(archive, path, fingerprint);
    torch::serialize::InputArchive model_archive, loss_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("loss", loss_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    loss.load(loss_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor epoch, best, rng, torch_rng, history;
    archive.read("epoch", epoch);
    archive.read("best_epoch", best);
    archive.read("rng", rng);
    archive.read("torch_rng", torch_rng);
    archive.read("history", history);
    state.epoch = static_cast<int>(epoch.item<int64_t>());
    state.best_epoch = static_cast<int>(best.item<int64_t>());
    state.rng = tensor_bytes(rng);
    state.history = history_from(history);
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the shared one
    generator.set_state(torch_rng.cpu());
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable checkpoint (" + e.what_without_backtrace() + ")");
  }
  return state;
}

void load_model_weights(const std::string& path, const std::string& fingerprint, torch::nn::Module& model) {
  torch::serialize::InputArchive archive = open(path, torch::kCPU);
  try {
    check_fingerprint(archive, path, fingerprint);
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model.load(model_archive);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable checkpoint (" + e.what_without_backtrace() + ")");
  }
}

}  // namespace facekit::train
