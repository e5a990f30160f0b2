#include "train/multitask.h"

#include <cmath>
#include <set>

#include "facekit/error.h"

namespace facekit::train {

namespace {

// Hidden width of an attribute head: a two-layer classifier, since a linear
// adversary is too weak to tell what the embedding still encodes.
constexpr int kHeadHidden = 256;

class ReverseGradient : public torch::autograd::Function<ReverseGradient> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double lambda) {
    ctx->saved_data["lambda"] = lambda;
    return x.clone();
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const double lambda = ctx->saved_data["lambda"].toDouble();
    return {grad_outputs[0] * -lambda, torch::Tensor()};
  }
};

void check_tasks(const std::vector<AttributeTask>& tasks) {
  std::set<std::string> names;
  for (const AttributeTask& t : tasks) {
    const std::string what = "attribute task '" + t.name + "'";
    check(!t.name.empty(), "attribute task", "needs a name");
    check(t.name.find('.') == std::string::npos, what, "a name must not contain '.' (module names)");
    check(names.insert(t.name).second, what, "named twice");
    check(t.classes >= 2, what, "needs at least 2 classes");
    check(std::isfinite(t.weight) && t.weight >= 0.f, what, "weight must be finite and not negative");
    check(std::isfinite(t.focal_gamma) && t.focal_gamma >= 0.f, what, "focal_gamma must be finite and not negative");
    check(t.class_weights.empty() || static_cast<int>(t.class_weights.size()) == t.classes, what,
          "class_weights must be empty or one per class");
    for (float w : t.class_weights) check(std::isfinite(w) && w >= 0.f, what, "class weights must be finite and not negative");
  }
}

}  // namespace

torch::Tensor reverse_gradient(const torch::Tensor& x, double lambda) { return ReverseGradient::apply(x, lambda); }

MultiTaskNetImpl::MultiTaskNetImpl(std::shared_ptr<EmbeddingNet> backbone, std::vector<AttributeTask> tasks)
    : backbone_(std::move(backbone)), tasks_(std::move(tasks)) {
  check(backbone_ != nullptr, "multi-task net", "needs a backbone");
  check_tasks(tasks_);
  register_module("backbone", backbone_);
  const int dim = backbone_->options().embedding_dim;
  for (const AttributeTask& t : tasks_) {
    heads_.push_back(register_module("head_" + t.name,
                                     torch::nn::Sequential(torch::nn::Linear(dim, kHeadHidden),
                                                           torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(kHeadHidden)),
                                                           torch::nn::Linear(kHeadHidden, t.classes))));
  }
}

MultiTaskOutput MultiTaskNetImpl::forward(torch::Tensor images) {
  MultiTaskOutput out;
  out.embedding = backbone_->forward(images);
  for (size_t i = 0; i < tasks_.size(); ++i)
    out.logits.push_back(heads_[i]->forward(tasks_[i].adversarial ? reverse_gradient(out.embedding) : out.embedding));
  return out;
}

}  // namespace facekit::train
