// facekit-train: trains a recognizer on a folder per identity and exports it
// as ONNX (include/facekit/train.h). A binary of its own so that `facekit`
// never loads libtorch; `facekit train ...` runs it.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/version.h"
#include "facekit/train.h"
#include "facekit/train_attribute_head.h"
#include "progress.h"

namespace {

using json = nlohmann::ordered_json;

// NAME[:WEIGHT][:adversarial][:focal=GAMMA]
facekit::train::AttributeOptions parse_attribute(const std::string& spec) {
  facekit::train::AttributeOptions a;
  std::stringstream in(spec);
  std::getline(in, a.name, ':');
  facekit::check(!a.name.empty(), "--attribute '" + spec + "'", "has no name");
  for (std::string part; std::getline(in, part, ':');) {
    try {
      if (part == "adversarial") a.adversarial = true;
      else if (part.rfind("focal=", 0) == 0) a.focal_gamma = std::stof(part.substr(6));
      else a.weight = std::stof(part);
    } catch (const std::exception&) {
      throw facekit::Error("--attribute '" + spec + "': '" + part + "' is not a weight, adversarial or focal=GAMMA");
    }
  }
  return a;
}

json report_json(const facekit::train::EpochReport& r) {
  return {{"epoch", r.epoch},           {"train_loss", r.train_loss}, {"val_auc", r.val_auc},
          {"val_eer", r.val_eer},       {"val_eer_threshold", r.val_eer_threshold},
          {"lr", r.lr},                 {"seconds", r.seconds},       {"images_per_second", r.images_per_second}};
}

// `facekit train head ...`: the options of train_attribute_head().
CLI::App* add_head_command(CLI::App& app, facekit::train::AttributeHeadOptions& h) {
  auto* cmd = app.add_subcommand("head", "train facekit's own attribute head on a frozen recognizer's embeddings "
                                         "(docs/analysis.md)");
  cmd->add_option("--embeddings", h.embeddings, "JSON lines of `facekit represent --no-detect` of the labelled images")
      ->required();
  cmd->add_option("--labels", h.labels, "labels CSV as `facekit eval --attributes` reads it")->required();
  cmd->add_option("--root", h.root, "the folder the CSV's `file` is relative to")->required();
  cmd->add_option("--attribute", h.attributes, "gender | race | emotion (repeat for several)")->required();
  cmd->add_option("--recognizer", h.recognizer, "the recognizer that made the embeddings")->capture_default_str();
  cmd->add_option("--data", h.data, "the card's note on the data and its licence");
  cmd->add_option("--hidden", h.hidden, "hidden units (0: a linear head)")->capture_default_str();
  cmd->add_option("--dropout", h.dropout, "dropout before each linear layer")->capture_default_str();
  cmd->add_option("--epochs", h.epochs, "full-batch AdamW steps")->capture_default_str();
  cmd->add_option("--lr", h.lr, "learning rate")->capture_default_str();
  cmd->add_option("--weight-decay", h.weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--focal", h.focal_gamma, "focal loss gamma (0: cross-entropy)")->capture_default_str();
  cmd->add_option("--seed", h.seed, "seed of the weights and dropout")->capture_default_str();
  cmd->add_option("--holdout-every", h.holdout_every, "hold out every n-th face and score it (0: none)")
      ->capture_default_str();
  cmd->add_option("--threads", h.threads, "libtorch threads")->capture_default_str();
  cmd->add_option("--out", h.out, "the ONNX file to write");
  return cmd;
}

int run_head(const facekit::train::AttributeHeadOptions& h) {
  const facekit::train::AttributeHeadResult r = facekit::train::train_attribute_head(h);
  json report = {{"train_faces", r.train_faces}, {"holdout_faces", r.holdout_faces}, {"dimension", r.dimension},
                 {"train_accuracy", r.train_accuracy}};
  if (r.holdout_faces > 0) {
    report["holdout_accuracy"] = r.holdout_accuracy;
    report["holdout_balanced_accuracy"] = r.holdout_balanced;
  }
  std::cout << report.dump() << std::endl;
  if (!h.out.empty()) std::fprintf(stderr, "wrote %s\n", h.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  facekit::train::TrainOptions o;
  std::vector<std::string> attribute_specs;
  bool no_augment = false, as_json = false;
  std::string log_file;
  CLI::App app{"facekit train — train a recognizer on a folder per identity and export it as ONNX"};
  app.set_version_flag("--version", FACEKIT_VERSION);
  app.add_option("--data", o.data_dir, "folder of identities: DATA/<identity>/<images>");
  app.add_option("--out", o.onnx_out, "write the best-AUC epoch's model here (.onnx)");
  app.add_option("--backbone", o.backbone, "iresnet18 | iresnet34 | iresnet50 | mobilefacenet")->capture_default_str();
  app.add_option("--embedding-dim", o.embedding_dim, "embedding length")->capture_default_str();
  app.add_flag("--attention", o.attention, "channel + spatial attention after each stage");
  app.add_option("--dropout", o.dropout, "before the embedding layer")->capture_default_str();
  app.add_option("--loss", o.loss, "softmax | cosface | arcface | magface | triplet-all | triplet-hard | "
                                   "triplet-semihard | contrastive")->capture_default_str();
  app.add_option("--margin", o.margin, "the loss's margin (default: its own)");
  app.add_option("--scale", o.scale, "s of the margin losses")->capture_default_str();
  app.add_option("--modalities", o.modalities, "image | stereo | image+stereo")->capture_default_str();
  app.add_option("--stereo-images", o.stereo_images, "lit images per photometric stereo solve")->capture_default_str();
  app.add_option("--input-size", o.input_size, "square input side, a multiple of 16")->capture_default_str();
  app.add_flag("--align", o.align, "crop as `facekit verify --no-detect` does (faceapi-68 landmarks, ArcFace template)");
  app.add_option("--epochs", o.epochs, "epochs")->capture_default_str();
  app.add_option("--steps-per-epoch", o.steps_per_epoch, "batches per epoch (0: cover the data once)")->capture_default_str();
  app.add_option("-P,--identities-per-batch", o.identities_per_batch, "P of P×K batches")->capture_default_str();
  app.add_option("-K,--images-per-identity", o.images_per_identity, "K of P×K batches")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "shuffled batches for classifier losses (0: P×K)")->capture_default_str();
  app.add_option("--optimizer", o.optimizer, "sgd | adamw")->capture_default_str();
  app.add_option("--lr", o.lr, "peak learning rate (cosine decay)")->capture_default_str();
  app.add_option("--weight-decay", o.weight_decay, "weight decay")->capture_default_str();
  app.add_flag("--no-augment", no_augment, "no shift, flip, brightness or noise");
  app.add_option("--seed", o.seed, "seed of the split, the sampler and the weights")->capture_default_str();
  app.add_option("--val-share", o.val_share, "share of identities held out for validation")->capture_default_str();
  app.add_option("--val-light-degrees", o.val_light_degrees,
                 "split Yale B by light instead: images lit more than this off-axis are the validation set");
  app.add_option("--checkpoints", o.checkpoint_dir, "folder for last.pt and best.pt");
  app.add_flag("--resume", o.resume, "continue from CHECKPOINTS/last.pt");
  app.add_option("--device", o.device, "auto | cpu | cuda")->capture_default_str();
  app.add_option("--threads", o.threads, "libtorch threads (0: all cores)")->capture_default_str();
  app.add_option("--attributes", o.attributes_csv, "CSV path,<attribute>,...: a class per image");
  app.add_option("--attribute", attribute_specs, "a head: NAME[:WEIGHT][:adversarial][:focal=GAMMA]");
  app.add_flag("--json", as_json, "one JSON object per epoch on stdout");
  app.add_option("--log", log_file, "also append each epoch's JSON line to this file");
  facekit::train::AttributeHeadOptions head;
  CLI::App* head_command = add_head_command(app, head);
  CLI11_PARSE(app, argc, argv);
  o.augment = !no_augment;

  try {
    if (head_command->parsed()) return run_head(head);
    facekit::check(!o.data_dir.empty(), "--data", "is required (a folder of identities), or use `facekit train head`");
    for (const auto& spec : attribute_specs) o.attributes.push_back(parse_attribute(spec));
    std::ofstream log;
    if (!log_file.empty()) {
      log.open(log_file, std::ios::app);
      facekit::check(log.good(), log_file, "cannot be written");
    }
    std::unique_ptr<facekit::cli::Progress> progress;
    const auto on_batch = [&](int batch, int batches, double loss) {
      if (batch == 1) progress = std::make_unique<facekit::cli::Progress>(static_cast<size_t>(batches));
      char label[48];
      std::snprintf(label, sizeof label, "loss %.4f", loss);
      progress->update(static_cast<size_t>(batch), label);
    };
    const auto on_epoch = [&](const facekit::train::EpochReport& r) {
      progress.reset();
      std::fprintf(stderr, "epoch %d/%d  loss %.4f  val AUC %.4f  EER %.4f  lr %.4g  %.1f img/s  %.1f s\n", r.epoch,
                   o.epochs, r.train_loss, r.val_auc, r.val_eer, r.lr, r.images_per_second, r.seconds);
      if (as_json) std::cout << report_json(r).dump() << std::endl;
      if (log.is_open()) log << report_json(r).dump() << std::endl;
    };
    const facekit::train::TrainResult result = facekit::train::train(o, on_epoch, on_batch);
    const auto& best = result.epochs[result.best_epoch - 1];
    std::fprintf(stderr, "%s: %d training identities (%d samples), %d validation (%d samples), %d channels\n",
                 result.device.c_str(), result.train_identities, result.train_samples, result.val_identities,
                 result.val_samples, result.channels);
    std::string names;
    for (const auto& name : result.val_identity_names) names += " " + name;
    std::fprintf(stderr, "validation identities:%s\n", names.c_str());
    std::fprintf(stderr, "best epoch %d: val AUC %.4f, EER %.4f at cosine distance %.4f\n", best.epoch, best.val_auc,
                 best.val_eer, best.val_eer_threshold);
    if (!o.onnx_out.empty()) std::fprintf(stderr, "wrote %s\n", o.onnx_out.c_str());
  } catch (const facekit::Error& e) {
    std::cerr << "facekit train: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "facekit train: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
