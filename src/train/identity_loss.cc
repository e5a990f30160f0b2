// The identity-loss factory, the batch check every loss runs first, and
// MagFace's quality read-out.
#include <functional>
#include <utility>

#include "facekit/error.h"
#include "train/identity_loss_parts.h"
#include "train/losses.h"

namespace facekit::train {
namespace {

using LossMaker = std::function<std::shared_ptr<IdentityLoss>(const LossOptions&)>;

const std::vector<std::pair<std::string, LossMaker>>& loss_makers() {
  static const std::vector<std::pair<std::string, LossMaker>> makers = {
      {"softmax", make_softmax_loss},
      {"cosface", make_cosface_loss},
      {"arcface", make_arcface_loss},
      {"magface", make_magface_loss},
      {"triplet-all", [](const LossOptions& o) { return make_triplet_loss(o, Mining::kBatchAll); }},
      {"triplet-hard", [](const LossOptions& o) { return make_triplet_loss(o, Mining::kBatchHard); }},
      {"triplet-semihard", [](const LossOptions& o) { return make_triplet_loss(o, Mining::kSemiHard); }},
      {"contrastive", make_contrastive_loss},
  };
  return makers;
}

std::string shape_of(const torch::Tensor& t) {
  std::string shape;
  for (int64_t size : t.sizes()) shape += (shape.empty() ? "" : "×") + std::to_string(size);
  return shape.empty() ? "scalar" : shape;
}

}  // namespace

std::vector<std::string> identity_loss_names() {
  std::vector<std::string> names;
  for (const auto& [name, make] : loss_makers()) names.push_back(name);
  return names;
}

std::shared_ptr<IdentityLoss> make_identity_loss(const LossOptions& options) {
  for (const auto& [name, make] : loss_makers())
    if (name == options.name) return make(options);
  std::string known;
  for (const auto& name : identity_loss_names()) known += (known.empty() ? "" : ", ") + name;
  throw Error("identity loss '" + options.name + "': unknown (known: " + known + ")");
}

void check_identity_batch(const torch::Tensor& embeddings, const torch::Tensor& labels, int embedding_dim,
                          int num_classes, const std::string& loss) {
  const std::string context = loss + " loss";
  check(embeddings.defined() && labels.defined(), context, "embeddings or labels undefined");
  check(embeddings.dim() == 2 && embeddings.size(0) >= 1 && embeddings.size(1) == embedding_dim, context,
        "embeddings are " + shape_of(embeddings) + ", want N×" + std::to_string(embedding_dim) + " with N ≥ 1");
  check(embeddings.is_floating_point(), context, "embeddings are not floating point");
  check(labels.dim() == 1 && labels.size(0) == embeddings.size(0), context,
        "labels are " + shape_of(labels) + ", want " + std::to_string(embeddings.size(0)) + " (one per embedding)");
  check(labels.scalar_type() == torch::kInt64, context, "labels are not int64");
  const int64_t lowest = labels.min().item<int64_t>();
  const int64_t highest = labels.max().item<int64_t>();
  check(lowest >= 0, context, "label " + std::to_string(lowest) + " is negative");
  check(num_classes == 0 || highest < num_classes, context,
        "label " + std::to_string(highest) + " out of range for " + std::to_string(num_classes) + " classes");
}

void check_parameter_dtype(const torch::Tensor& embeddings, const torch::Tensor& parameter, const std::string& loss) {
  check(embeddings.scalar_type() == parameter.scalar_type(), loss + " loss",
        "embeddings are " + std::string(c10::toString(embeddings.scalar_type())) + " but its parameters are " +
            c10::toString(parameter.scalar_type()) + " (convert the loss with to())");
}

torch::Tensor embedding_quality(const torch::Tensor& embeddings) {
  check(embeddings.defined() && embeddings.dim() == 2 && embeddings.is_floating_point(), "embedding_quality",
        "embeddings must be a floating N×D tensor");
  return embeddings.detach().norm(2, 1);
}

}  // namespace facekit::train
