// Training facekit's own attribute head on cached embeddings
// (include/facekit/train_attribute_head.h).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "facekit/attribute_eval.h"
#include "facekit/error.h"
#include "facekit/train_attribute_head.h"
#include "train/attribute_head_net.h"
#include "train/losses.h"

namespace facekit::train {

namespace {

namespace fs = std::filesystem;

std::string path_key(const fs::path& path) { return fs::weakly_canonical(path).generic_string(); }

// image path → the first face's embedding, from `facekit represent --json` lines.
std::map<std::string, std::vector<float>> read_embeddings(const std::string& file) {
  std::ifstream in(file);
  check(in.good(), file, "cannot be read");
  std::map<std::string, std::vector<float>> out;
  size_t dimension = 0;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = file + ":" + std::to_string(line_number);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": not JSON (" + e.what() + ")");
    }
    check(j.is_object() && j.contains("image") && j["image"].is_string(), where, "has no \"image\" path");
    check(j.contains("faces") && j["faces"].is_array() && !j["faces"].empty() && j["faces"][0].contains("embedding"),
          where, "has no face with an \"embedding\" (embed with --no-detect)");
    std::vector<float> e;
    try {
      e = j["faces"][0]["embedding"].get<std::vector<float>>();
    } catch (const nlohmann::json::exception&) {
      throw Error(where + ": the embedding is not a list of numbers");
    }
    check(!e.empty() && std::all_of(e.begin(), e.end(), [](float v) { return std::isfinite(v); }), where,
          "the embedding is empty or not finite");
    if (dimension == 0) dimension = e.size();
    check(e.size() == dimension, where,
          "an embedding of " + std::to_string(e.size()) + " values, earlier ones " + std::to_string(dimension));
    out[path_key(j["image"].get<std::string>())] = std::move(e);
  }
  check(!out.empty(), file, "holds no embedding");
  return out;
}

HeadAttribute head_attribute(const std::string& name) {
  HeadAttribute a{name, {}};
  if (name == "gender") a.classes.assign(eval::kGenderNames.begin(), eval::kGenderNames.end());
  else if (name == "race") a.classes.assign(eval::kRaceNames.begin(), eval::kRaceNames.end());
  else if (name == "emotion") a.classes.assign(kEmotionNames.begin(), kEmotionNames.end());
  else throw Error("attribute '" + name + "': unknown (available: gender, race, emotion)");
  return a;
}

std::optional<int> label_of(const eval::LabelledFace& face, const std::string& attribute) {
  if (attribute == "gender") return face.gender;
  if (attribute == "race") return face.race;
  return face.emotion;
}

void check_options(const AttributeHeadOptions& o) {
  check(!o.attributes.empty(), "--attribute", "name at least one attribute (gender, race, emotion)");
  check(std::set<std::string>(o.attributes.begin(), o.attributes.end()).size() == o.attributes.size(), "--attribute",
        "an attribute is named twice");
  check(o.hidden >= 0 && o.hidden <= 4096, "--hidden", "must be in 0..4096");
  check(std::isfinite(o.dropout) && o.dropout >= 0 && o.dropout < 1, "--dropout", "must be in [0, 1)");
  check(o.epochs >= 1 && o.epochs <= 100000, "--epochs", "must be in 1..100000");
  check(std::isfinite(o.lr) && o.lr > 0 && o.lr <= 1, "--lr", "must be in (0, 1]");
  check(std::isfinite(o.weight_decay) && o.weight_decay >= 0, "--weight-decay", "must be finite and ≥ 0");
  check(std::isfinite(o.focal_gamma) && o.focal_gamma >= 0, "--focal", "must be finite and ≥ 0");
  check(o.holdout_every == 0 || o.holdout_every >= 2, "--holdout-every", "must be 0 (none) or at least 2");
  check(o.threads >= 1 && o.threads <= 256, "--threads", "must be in 1..256");
}

// The faces' embeddings (rows) and per attribute their labels (−1: unknown).
struct HeadData {
  torch::Tensor x;
  std::vector<torch::Tensor> y;
};

HeadData select(const torch::Tensor& x, const std::vector<torch::Tensor>& y, const torch::Tensor& rows) {
  HeadData d{x.index_select(0, rows), {}};
  for (const auto& t : y) d.y.push_back(t.index_select(0, rows));
  return d;
}

struct Scores {
  double accuracy = 0, balanced = 0;
};

Scores score(const torch::Tensor& logits, const torch::Tensor& labels) {
  const torch::Tensor known = labels >= 0;
  const torch::Tensor predicted = logits.argmax(1).masked_select(known), truth = labels.masked_select(known);
  Scores s;
  if (truth.numel() == 0) return s;
  s.accuracy = predicted.eq(truth).to(torch::kDouble).mean().item<double>();
  int classes = 0;
  for (int64_t k = 0; k < logits.size(1); ++k) {
    const torch::Tensor of_k = truth.eq(k);
    if (of_k.sum().item<int64_t>() == 0) continue;
    s.balanced += predicted.masked_select(of_k).eq(k).to(torch::kDouble).mean().item<double>();
    ++classes;
  }
  s.balanced /= classes;
  return s;
}

}  // namespace

AttributeHeadResult train_attribute_head(const AttributeHeadOptions& o) {
  check_options(o);
  std::vector<HeadAttribute> attributes;
  for (const std::string& name : o.attributes) attributes.push_back(head_attribute(name));

  const std::map<std::string, std::vector<float>> embeddings = read_embeddings(o.embeddings);
  const std::vector<eval::LabelledFace> faces = eval::read_attribute_labels(o.labels, o.root);
  const int dimension = static_cast<int>(embeddings.begin()->second.size());
  torch::Tensor x = torch::empty({static_cast<int64_t>(faces.size()), dimension});
  std::vector<torch::Tensor> y;  // one tensor each (copies of one tensor would share its storage)
  for (size_t a = 0; a < attributes.size(); ++a) y.push_back(torch::full({x.size(0)}, -1, torch::kInt64));
  for (size_t i = 0; i < faces.size(); ++i) {
    const auto found = embeddings.find(path_key(faces[i].image));
    check(found != embeddings.end(), o.embeddings, "has no embedding of " + faces[i].image.string() + " (labelled in " +
                                                       o.labels + ")");
    std::copy(found->second.begin(), found->second.end(), x[static_cast<int64_t>(i)].data_ptr<float>());
    for (size_t a = 0; a < attributes.size(); ++a)
      if (const auto label = label_of(faces[i], attributes[a].name)) y[a][static_cast<int64_t>(i)] = *label;
  }
  for (size_t a = 0; a < attributes.size(); ++a)
    check((y[a] >= 0).any().item<bool>(), o.labels, "labels no face with " + attributes[a].name);

  // Every holdout_every-th face is held out.
  const torch::Tensor index = torch::arange(x.size(0));
  const torch::Tensor held = o.holdout_every > 0 ? (index % o.holdout_every).eq(o.holdout_every - 1)
                                                 : torch::zeros({x.size(0)}, torch::kBool);
  const HeadData train = select(x, y, index.masked_select(held.logical_not()));
  const HeadData holdout = select(x, y, index.masked_select(held));

  at::set_num_threads(o.threads);
  torch::manual_seed(o.seed);
  AttributeHeadNet net(dimension, o.hidden, o.dropout, attributes);
  torch::optim::AdamW optimizer(net->parameters(),
                                torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    net->train();
    optimizer.zero_grad();
    const std::vector<torch::Tensor> logits = net->forward(train.x);
    torch::Tensor loss = torch::zeros({});
    for (size_t a = 0; a < attributes.size(); ++a) {
      const torch::Tensor known = train.y[a] >= 0;
      const torch::Tensor rows = torch::nonzero(known).squeeze(1);
      loss = loss + focal_loss(logits[a].index_select(0, rows), train.y[a].index_select(0, rows), o.focal_gamma, {});
    }
    loss.backward();
    optimizer.step();
  }

  net->eval();
  torch::NoGradGuard no_grad;
  AttributeHeadResult result;
  result.dimension = dimension;
  result.train_faces = static_cast<int>(train.x.size(0));
  result.holdout_faces = static_cast<int>(holdout.x.size(0));
  const std::vector<torch::Tensor> train_logits = net->forward(train.x);
  for (size_t a = 0; a < attributes.size(); ++a)
    result.train_accuracy[attributes[a].name] = score(train_logits[a], train.y[a]).accuracy;
  if (result.holdout_faces > 0) {
    const std::vector<torch::Tensor> holdout_logits = net->forward(holdout.x);
    for (size_t a = 0; a < attributes.size(); ++a) {
      const Scores s = score(holdout_logits[a], holdout.y[a]);
      result.holdout_accuracy[attributes[a].name] = s.accuracy;
      result.holdout_balanced[attributes[a].name] = s.balanced;
    }
  }
  if (!o.out.empty()) {
    nlohmann::json card = {{"head", fs::path(o.out).stem().string()},
                           {"recognizer", o.recognizer},
                           {"input", "raw embedding"},
                           {"dimension", dimension},
                           {"attributes", nlohmann::json::object()},
                           {"data", o.data},
                           {"seed", o.seed}};
    for (const HeadAttribute& a : attributes) card["attributes"][a.name] = a.classes;
    export_attribute_head(net, attributes, card, o.out);
  }
  return result;
}

}  // namespace facekit::train
