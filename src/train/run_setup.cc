#include "train/run_setup.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <map>

#include "facekit/error.h"
#include "facekit/stereo.h"
#include "train/checkpoint.h"

namespace facekit::train {

namespace {

void check_options(const TrainOptions& o) {
  const auto positive = [](int value, const std::string& name) {
    check(value > 0, "option " + name, "must be positive (got " + std::to_string(value) + ")");
  };
  check(!o.data_dir.empty(), "option data", "no training folder given");
  positive(o.embedding_dim, "embedding dim");
  positive(o.epochs, "epochs");
  positive(o.identities_per_batch, "P (identities per batch)");
  check(o.images_per_identity >= 2, "option K (images per identity)",
        "must be at least 2 (got " + std::to_string(o.images_per_identity) + ")");
  check(o.input_size >= 16 && o.input_size % 16 == 0, "option input size",
        "must be a positive multiple of 16 (got " + std::to_string(o.input_size) + ")");
  check(o.steps_per_epoch >= 0 && o.batch_size >= 0 && o.threads >= 0, "options",
        "steps per epoch, batch size and threads must not be negative");
  check(o.batch_size == 0 || o.batch_size >= 2, "option batch size", "must be 0 (P×K batches) or at least 2");
  check(o.lr > 0 && std::isfinite(o.lr), "option lr", "must be a positive number");
  check(o.weight_decay >= 0, "option weight decay", "must not be negative");
  check(o.stereo_images >= 3, "option stereo images", "a stereo solve needs at least 3 images");
  check(o.optimizer == "sgd" || o.optimizer == "adamw", "optimizer '" + o.optimizer + "'",
        "unknown (available: sgd, adamw)");
  check(o.val_light_degrees >= 0 && o.val_light_degrees < 90, "option val light degrees", "must lie in [0, 90)");
  check(o.attributes.empty() || !o.attributes_csv.empty(), "option attributes", "need an attributes CSV");
}

// Validation = the images lit more than `degrees` off the camera axis.
void split_by_light(DataSplit& s, double degrees) {
  for (size_t i = 0; i < s.folder.images.size(); ++i) {
    const auto light = stereo::yaleb_light(s.folder.images[i].string());
    check(light.has_value(), s.folder.images[i].string(), "has no Yale B light code (…A+035E-20…) to split by light");
    const double off_axis = std::acos(std::clamp((*light)[2], -1.0, 1.0)) * 180 / std::numbers::pi;
    (off_axis > degrees ? s.val_images : s.train_images).push_back(static_cast<int>(i));
  }
}

void split_by_identity(DataSplit& s, double val_share, uint64_t seed) {
  const IdentitySplit ids = split_identities(static_cast<int>(s.folder.identities.size()), val_share, seed);
  std::vector<bool> is_val(s.folder.identities.size(), false);
  for (int id : ids.val) is_val[id] = true;
  for (size_t i = 0; i < s.folder.images.size(); ++i)
    (is_val[s.folder.identity[i]] ? s.val_images : s.train_images).push_back(static_cast<int>(i));
}

}  // namespace

DataSplit split_data(const TrainOptions& options) {
  check_options(options);
  DataSplit s;
  s.modalities = parse_modalities(options.modalities);
  s.folder = read_face_folder(options.data_dir);
  if (options.val_light_degrees > 0) split_by_light(s, options.val_light_degrees);
  else split_by_identity(s, options.val_share, options.seed);

  std::map<int, int> dense;  // folder identity → training label
  for (int i : s.train_images) dense.emplace(s.folder.identity[i], 0);
  for (auto& [id, label] : dense) label = s.classes++;
  for (int i : s.train_images) s.train_labels.push_back(dense[s.folder.identity[i]]);
  std::map<int, int> val_ids;
  for (int i : s.val_images) {
    s.val_labels.push_back(s.folder.identity[i]);
    ++val_ids[s.folder.identity[i]];
  }
  check(s.classes >= 2, options.data_dir, "the training side of the split holds fewer than two identities");
  check(val_ids.size() >= 2, options.data_dir, "the validation side of the split holds fewer than two identities");
  if (!options.attributes.empty()) {
    std::vector<std::string> names;
    for (const auto& a : options.attributes) names.push_back(a.name);
    s.attributes = read_attribute_labels(options.attributes_csv, options.data_dir, s.folder, names);
  }
  return s;
}

MultiTaskNet make_network(const TrainOptions& options, const DataSplit& split) {
  BackboneOptions b;
  b.name = options.backbone;
  b.in_channels = split.modalities.channels();
  b.input_size = options.input_size;
  b.embedding_dim = options.embedding_dim;
  b.dropout = options.dropout;
  b.attention = options.attention;
  std::vector<AttributeTask> tasks;
  for (size_t a = 0; a < options.attributes.size(); ++a) {
    const AttributeOptions& o = options.attributes[a];
    AttributeTask t;
    t.name = o.name;
    t.classes = split.attributes.classes[a];
    t.weight = o.weight;
    t.adversarial = o.adversarial;
    t.focal_gamma = o.focal_gamma;
    tasks.push_back(t);
  }
  return MultiTaskNet(make_backbone(b), tasks);
}

std::string fingerprint(const TrainOptions& options, const DataSplit& split) {
  std::string f = "backbone " + options.backbone + ", channels " + std::to_string(split.modalities.channels()) +
                  ", size " + std::to_string(options.input_size) + ", dim " + std::to_string(options.embedding_dim) +
                  ", attention " + std::to_string(options.attention) + ", loss " + options.loss + ", classes " +
                  std::to_string(split.classes) + ", optimizer " + options.optimizer;
  for (size_t a = 0; a < options.attributes.size(); ++a)
    f += ", " + options.attributes[a].name + " " + std::to_string(split.attributes.classes[a]);
  return f;
}

torch::Device pick_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    check(torch::cuda::is_available(), "device cuda", "libtorch sees no CUDA device");
    return torch::kCUDA;
  }
  check(name == "auto", "device '" + name + "'", "unknown (available: auto, cpu, cuda)");
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

MultiTaskNet load_trained_network(const TrainOptions& options, const std::string& checkpoint) {
  const DataSplit split = split_data(options);
  MultiTaskNet net = make_network(options, split);
  load_model_weights(checkpoint, fingerprint(options, split), *net);
  net->eval();
  return net;
}

}  // namespace facekit::train
