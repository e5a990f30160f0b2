// The multi-task net: attribute heads on the embedding, and gradient
// reversal in front of the adversarial ones.
#include <gtest/gtest.h>

#include "facekit/error.h"
#include "train/multitask.h"

namespace facekit::train {
namespace {

// d/dx sum(w ⊙ x) = w, so behind the reversal it must be −lambda·w.
TEST(ReverseGradient, BackwardIsMinusLambdaTimesThePlainGradient) {
  for (const double lambda : {1.0, 0.3, 2.5}) {
    const torch::Tensor w = torch::randn({4, 6});
    const torch::Tensor x = torch::randn({4, 6}, torch::requires_grad());
    const torch::Tensor y = reverse_gradient(x, lambda);
    EXPECT_TRUE(torch::equal(y, x)) << "forward must be the identity";
    (w * y).sum().backward();
    EXPECT_TRUE(torch::allclose(x.grad(), -lambda * w, 1e-6, 1e-7)) << "lambda " << lambda;
  }
}

// Through a chain: the gradient upstream of the reversal is the plain
// chain-rule gradient negated (here of sum((2x)^2) = 8x).
TEST(ReverseGradient, NegatesTheUpstreamGradientInAChain) {
  const torch::Tensor x = torch::randn({3, 5}, torch::requires_grad());
  reverse_gradient(x * 2, 1.0).pow(2).sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad(), -8 * x.detach(), 1e-5, 1e-6));
}

std::shared_ptr<EmbeddingNet> small_backbone() {
  BackboneOptions o;
  o.name = "mobilefacenet";
  o.input_size = 32;
  o.embedding_dim = 16;
  return make_backbone(o);
}

AttributeTask task(const std::string& name, int classes) {
  AttributeTask t;
  t.name = name;
  t.classes = classes;
  return t;
}

// A net with `tasks` (torch's module holder does not forward braced lists).
MultiTaskNet multitask(std::shared_ptr<EmbeddingNet> backbone, std::vector<AttributeTask> tasks) {
  return MultiTaskNet(std::move(backbone), std::move(tasks));
}

TEST(MultiTaskNet, HeadsGiveLogitsPerTask) {
  MultiTaskNet net = multitask(small_backbone(), {task("glasses", 2), task("emotion", 7)});
  net->eval();
  torch::NoGradGuard no_grad;
  const MultiTaskOutput out = net->forward(torch::randn({3, 3, 32, 32}));
  EXPECT_EQ(out.embedding.sizes(), (std::vector<int64_t>{3, 16}));
  ASSERT_EQ(out.logits.size(), 2u);
  EXPECT_EQ(out.logits[0].sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(out.logits[1].sizes(), (std::vector<int64_t>{3, 7}));
}

// The backbone's gradient from an adversarial head is the negation of the
// one from the same head without reversal; the head's own gradient is equal.
TEST(MultiTaskNet, AdversarialHeadReversesTheBackboneGradient) {
  torch::manual_seed(3);
  auto backbone = small_backbone();
  AttributeTask gender = task("gender", 2);
  gender.adversarial = true;
  MultiTaskNet net = multitask(backbone, {gender});
  net->eval();  // fixed batch-norm statistics: both passes see the same function
  const torch::Tensor images = torch::randn({2, 3, 32, 32});
  auto gradients = [&](bool reversed) {
    net->zero_grad();
    const MultiTaskOutput out = net->forward(images);
    // The same head read without reversal: its input is the embedding itself.
    const torch::Tensor logits =
        reversed ? out.logits[0] : net->named_children()["head_gender"]->as<torch::nn::Sequential>()->forward(out.embedding);
    logits.select(1, 0).sum().backward();
    std::vector<torch::Tensor> g;
    for (const auto& p : net->parameters()) g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
    return g;
  };
  const auto adversarial = gradients(true), plain = gradients(false);
  const auto names = net->named_parameters().keys();
  bool some_backbone_gradient = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!adversarial[i].defined()) continue;
    if (names[i].starts_with("backbone.")) {
      EXPECT_TRUE(torch::allclose(adversarial[i], -plain[i], 1e-5, 1e-7)) << names[i];
      some_backbone_gradient |= adversarial[i].abs().sum().item<double>() > 0;
    } else {
      EXPECT_TRUE(torch::allclose(adversarial[i], plain[i], 1e-5, 1e-7)) << names[i];
    }
  }
  EXPECT_TRUE(some_backbone_gradient);
}

TEST(MultiTaskNet, BadTasksAreRefused) {
  auto refused = [](AttributeTask t) { EXPECT_THROW(multitask(small_backbone(), {t}), Error) << t.name; };
  refused(task("", 2));
  refused(task("a.b", 2));
  refused(task("age", 1));
  AttributeTask t = task("age", 2);
  t.weight = -1.f;
  refused(t);
  t = task("age", 3);
  t.class_weights = {1.f, 2.f};
  refused(t);
  t = task("age", 2);
  t.focal_gamma = NAN;
  refused(t);
  EXPECT_THROW(multitask(small_backbone(), {task("x", 2), task("x", 3)}), Error);
  EXPECT_THROW(multitask(nullptr, {}), Error);
}

}  // namespace
}  // namespace facekit::train
