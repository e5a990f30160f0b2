// Identity losses and the focal loss: values against hand-derived formulas on
// tiny inputs, gradients against central finite differences in double, and
// the errors for bad options and batches.
#include <cmath>
#include <algorithm>
#include <functional>
#include <numbers>

#include <gtest/gtest.h>

#include "facekit/error.h"
#include "train/losses.h"

namespace facekit::train {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDegree = kPi / 180;

// Largest |autograd − central difference| of the scalar `loss()` with respect
// to `input` (double, requiring grad), divided by the largest numeric
// gradient, which must not vanish (a zero gradient would pass vacuously).
double gradient_error(const std::function<torch::Tensor()>& loss, const torch::Tensor& input, double step = 1e-6) {
  const torch::Tensor analytic = torch::autograd::grad({loss()}, {input})[0];
  torch::NoGradGuard no_grad;
  torch::Tensor numeric = torch::zeros_like(input);
  torch::Tensor values = input.view({-1}), slopes = numeric.view({-1});
  for (int64_t i = 0; i < values.numel(); ++i) {
    const double original = values[i].item<double>();
    values[i] = original + step;
    const double above = loss().item<double>();
    values[i] = original - step;
    const double below = loss().item<double>();
    values[i] = original;
    slopes[i] = (above - below) / (2 * step);
  }
  const double scale = numeric.abs().max().item<double>();
  EXPECT_GT(scale, 1e-4) << "the loss does not depend on this input";
  return (analytic - numeric).abs().max().item<double>() / scale;
}

torch::Tensor labels_of(std::vector<int64_t> values) { return torch::tensor(values, torch::kInt64); }

torch::Tensor at_angles(const std::vector<double>& degrees, const std::vector<double>& norms) {
  torch::Tensor points = torch::empty({static_cast<int64_t>(degrees.size()), 2}, torch::kDouble);
  for (size_t i = 0; i < degrees.size(); ++i) {
    points[i][0] = norms[i] * std::cos(degrees[i] * kDegree);
    points[i][1] = norms[i] * std::sin(degrees[i] * kDegree);
  }
  return points;
}

std::shared_ptr<IdentityLoss> double_loss(LossOptions options) {
  auto loss = make_identity_loss(options);
  loss->to(torch::kDouble);
  return loss;
}

// The parameter itself (a handle sharing its storage).
torch::Tensor parameter(IdentityLoss& loss, const std::string& name) { return loss.named_parameters()[name]; }

void set_parameter(IdentityLoss& loss, const std::string& name, const torch::Tensor& value) {
  torch::NoGradGuard no_grad;
  parameter(loss, name).copy_(value);
}

// −log softmax(logits)[0], the cross-entropy of a row whose true class is 0.
double cross_entropy_class0(const std::vector<double>& logits) {
  double total = 0;
  for (double z : logits) total += std::exp(z);
  return std::log(total) - logits[0];
}

LossOptions two_classes_2d(const std::string& name) {
  LossOptions options;
  options.name = name;
  options.embedding_dim = 2;
  options.num_classes = 2;
  options.scale = 2;
  return options;
}

// Class 0 along x, class 1 along y (unequal norms: only directions count).
const torch::Tensor kAxisWeights = torch::tensor({{2.0, 0.0}, {0.0, 5.0}}, torch::kDouble);

TEST(ArcFace, MatchesTheFormulaAtKnownAnglesIncludingPastPiMinusM) {
  auto loss = double_loss(two_classes_2d("arcface"));
  set_parameter(*loss, "weight", kAxisWeights);
  // 30° from class 0; and 170°, where θ + m > π and the target is cos θ − m·sin m.
  const torch::Tensor embeddings = at_angles({30, 170}, {3, 0.5});
  const double s = 2, m = 0.5;
  const double near = cross_entropy_class0({s * std::cos(30 * kDegree + m), s * std::cos(60 * kDegree)});
  const double far =
      cross_entropy_class0({s * (std::cos(170 * kDegree) - m * std::sin(m)), s * std::cos(80 * kDegree)});
  EXPECT_NEAR(loss->forward(embeddings, labels_of({0, 0})).item<double>(), (near + far) / 2, 1e-12);
}

TEST(ArcFace, GradientMatchesFiniteDifferencesPastPiMinusM) {
  auto loss = double_loss(two_classes_2d("arcface"));
  set_parameter(*loss, "weight", kAxisWeights);
  const torch::Tensor embeddings = at_angles({30, 170, 160}, {3, 0.5, 1}).requires_grad_();
  auto value = [&] { return loss->forward(embeddings, labels_of({0, 0, 0})); };
  EXPECT_LT(gradient_error(value, embeddings), 1e-6);
  EXPECT_LT(gradient_error(value, parameter(*loss, "weight")), 1e-6);
}

TEST(CosFace, MatchesTheFormulaWithItsDefaultMargin) {
  auto loss = double_loss(two_classes_2d("cosface"));
  set_parameter(*loss, "weight", kAxisWeights);
  const torch::Tensor embeddings = at_angles({30, 120}, {3, 0.5});
  const double s = 2, m = 0.35;
  const double first = cross_entropy_class0({s * (std::cos(30 * kDegree) - m), s * std::cos(60 * kDegree)});
  // The second is class 1, 30° away from it and 120° from class 0.
  const double second = cross_entropy_class0({s * (std::cos(30 * kDegree) - m), s * std::cos(120 * kDegree)});
  EXPECT_NEAR(loss->forward(embeddings, labels_of({0, 1})).item<double>(), (first + second) / 2, 1e-12);
}

TEST(Softmax, IsCrossEntropyOfTheLinearClassifier) {
  auto loss = double_loss(two_classes_2d("softmax"));
  set_parameter(*loss, "weight", torch::tensor({{1.0, -2.0}, {0.5, 3.0}}, torch::kDouble));
  set_parameter(*loss, "bias", torch::tensor({0.25, -1.0}, torch::kDouble));
  const torch::Tensor embeddings = torch::tensor({{1.0, 0.5}}, torch::kDouble);
  // logits: 1 − 1 + 0.25 = 0.25 and 0.5 + 1.5 − 1 = 1; the true class is 1.
  EXPECT_NEAR(loss->forward(embeddings, labels_of({1})).item<double>(), cross_entropy_class0({1.0, 0.25}), 1e-12);
}

TEST(MagFace, MarginAndRegulariserFollowTheClampedNorm) {
  LossOptions options = two_classes_2d("magface");
  options.magface_a_lower = 1, options.magface_a_upper = 3;
  options.magface_m_lower = 0.4f, options.magface_m_upper = 0.8f, options.magface_lambda_g = 0.5f;
  auto loss = double_loss(options);
  set_parameter(*loss, "weight", kAxisWeights);
  const double s = 2, lambda = 0.5, m_lower = double(0.4f), m_upper = double(0.8f);
  // Norm 2: margin halfway; norm 5 clamps to 3: the upper margin.
  const torch::Tensor embeddings = at_angles({30, 20}, {2, 5});
  const double m_half = (m_lower + m_upper) / 2;
  const double first = cross_entropy_class0({s * std::cos(30 * kDegree + m_half), s * std::cos(60 * kDegree)});
  const double second = cross_entropy_class0({s * std::cos(20 * kDegree + m_upper), s * std::cos(70 * kDegree)});
  const double regulariser = ((1 / 2.0 + 2 / 9.0) + (1 / 3.0 + 3 / 9.0)) / 2;
  EXPECT_NEAR(loss->forward(embeddings, labels_of({0, 0})).item<double>(),
              (first + second) / 2 + lambda * regulariser, 1e-7);
}

TEST(MagFace, QualityIsTheEmbeddingNorm) {
  const torch::Tensor quality = embedding_quality(torch::tensor({{3.0, 4.0}, {0.0, -0.5}}));
  EXPECT_NEAR(quality[0].item<double>(), 5, 1e-6);
  EXPECT_NEAR(quality[1].item<double>(), 0.5, 1e-6);
  EXPECT_FALSE(quality.requires_grad());
}

TEST(Triplet, BatchHardMatchesTheFormulaOnTheCircle) {
  LossOptions options = two_classes_2d("triplet-hard");
  auto loss = double_loss(options);
  // Labels 0 0 1 1 at 0°, 40°, 60°, 150°; chord length 2·sin(Δ/2).
  auto d = [](double degrees) { return 2 * std::sin(degrees * kDegree / 2); };
  const double m = 0.2;
  const double want = (std::max(d(40) - d(60) + m, 0.0) + std::max(d(40) - d(20) + m, 0.0) +
                       std::max(d(90) - d(20) + m, 0.0) + std::max(d(90) - d(110) + m, 0.0)) /
                      4;
  const torch::Tensor embeddings = at_angles({0, 40, 60, 150}, {1, 2, 0.5, 3});
  EXPECT_NEAR(loss->forward(embeddings, labels_of({0, 0, 1, 1})).item<double>(), want, 1e-9);
}

TEST(Triplet, NoTripletGivesAZeroLossThatStillBackpropagates) {
  LossOptions options = two_classes_2d("triplet-all");
  options.num_classes = 3;
  auto loss = make_identity_loss(options);
  const torch::Tensor embeddings = torch::randn({3, 2}).requires_grad_();
  const torch::Tensor value = loss->forward(embeddings, labels_of({0, 1, 2}));  // no positives
  EXPECT_EQ(value.item<double>(), 0);
  value.backward();
  EXPECT_EQ(embeddings.grad().abs().sum().item<double>(), 0);
}

TEST(Contrastive, StartsAtScale10AndBiasMinus5) {
  auto loss = make_identity_loss(two_classes_2d("contrastive"));
  EXPECT_NEAR(parameter(*loss, "log_scale").exp().item<double>(), 10, 1e-5);
  EXPECT_EQ(parameter(*loss, "bias").item<double>(), -5);
}

TEST(Contrastive, IsBalancedLogisticLossOnCosines) {
  auto loss = double_loss(two_classes_2d("contrastive"));
  set_parameter(*loss, "log_scale", torch::full({1}, std::log(8.0), torch::kDouble));
  set_parameter(*loss, "bias", torch::full({1}, -3.0, torch::kDouble));
  // Labels 0 0 1 at 0°, 60°, 90°: one positive pair (cos 60°), negatives cos 90° and cos 30°.
  const torch::Tensor embeddings = at_angles({0, 60, 90}, {1, 2, 3});
  auto logit = [](double degrees) { return 8 * std::cos(degrees * kDegree) - 3; };
  auto softplus = [](double z) { return std::log1p(std::exp(z)); };
  const double positive = softplus(-logit(60));                               // −log σ(z)
  const double negative = (softplus(logit(90)) + softplus(logit(30))) / 2;  // −log(1 − σ(z))
  EXPECT_NEAR(loss->forward(embeddings, labels_of({0, 0, 1})).item<double>(), (positive + negative) / 2, 1e-12);
}

// Every loss, in double, on a batch of 4 identities × 2 images.
class EveryLoss : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryLoss, GradientsMatchFiniteDifferences) {
  torch::manual_seed(7);
  LossOptions options;
  options.name = GetParam();
  options.embedding_dim = 4;
  options.num_classes = 4;
  options.scale = 4;
  options.magface_a_lower = 0.5, options.magface_a_upper = 4;  // keep the norms inside: the clamp is not flat
  options.magface_lambda_g = 1;
  auto loss = double_loss(options);
  torch::Tensor embeddings = (torch::randn({8, 4}, torch::kDouble) * 1.5).requires_grad_();
  const torch::Tensor labels = labels_of({0, 0, 1, 1, 2, 2, 3, 3});
  auto value = [&] { return loss->forward(embeddings, labels); };
  EXPECT_LT(gradient_error(value, embeddings), 1e-6) << "with respect to the embeddings";
  for (const auto& weights : loss->named_parameters())
    EXPECT_LT(gradient_error(value, weights.value()), 1e-6) << "with respect to " << weights.key();
}

TEST_P(EveryLoss, BatchesOfTheWrongShapeOrLabelsAreErrors) {
  LossOptions options;
  options.name = GetParam();
  options.embedding_dim = 4;
  options.num_classes = 3;
  auto loss = make_identity_loss(options);
  const torch::Tensor embeddings = torch::randn({2, 4});
  EXPECT_THROW(loss->forward(torch::randn({2, 5}), labels_of({0, 1})), Error);
  EXPECT_THROW(loss->forward(torch::randn({4}), labels_of({0, 1, 2, 0})), Error);
  EXPECT_THROW(loss->forward(embeddings, labels_of({0, 1, 2})), Error);
  EXPECT_THROW(loss->forward(embeddings, torch::tensor({0, 1}, torch::kInt32)), Error);
  EXPECT_THROW(loss->forward(embeddings, labels_of({0, 3})), Error);
  EXPECT_THROW(loss->forward(embeddings, labels_of({-1, 0})), Error);
  EXPECT_THROW(loss->forward(embeddings.to(torch::kInt64), labels_of({0, 1})), Error);
  EXPECT_NO_THROW(loss->forward(embeddings, labels_of({0, 1})));
}

INSTANTIATE_TEST_SUITE_P(Losses, EveryLoss, ::testing::ValuesIn(identity_loss_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(IdentityLoss, ClassifiersTrainTheirClassWeightsAndNeedNoPkBatches) {
  for (const std::string name : {"softmax", "cosface", "arcface", "magface"}) {
    LossOptions options;
    options.name = name;
    options.embedding_dim = 3;
    options.num_classes = 5;
    auto loss = make_identity_loss(options);
    EXPECT_FALSE(loss->needs_pk_batches()) << name;
    const torch::Tensor weight = parameter(*loss, "weight");
    EXPECT_EQ(weight.sizes(), (std::vector<int64_t>{5, 3})) << name;
    loss->forward(torch::randn({4, 3}) * 20, labels_of({0, 1, 4, 4})).backward();
    ASSERT_TRUE(weight.grad().defined()) << name;
    EXPECT_GT(weight.grad().abs().sum().item<double>(), 0) << name;
  }
  for (const std::string name : {"triplet-all", "triplet-hard", "triplet-semihard", "contrastive"}) {
    LossOptions options;
    options.name = name;
    EXPECT_TRUE(make_identity_loss(options)->needs_pk_batches()) << name;
  }
}

TEST_P(EveryLoss, DefaultsGiveFiniteGradientsInFloatEvenForEmbeddingsOnTheirClass) {
  LossOptions options;
  options.name = GetParam();
  options.num_classes = 4;
  auto loss = make_identity_loss(options);
  torch::Tensor embeddings = torch::randn({8, options.embedding_dim}) * 30;
  const auto parameters = loss->named_parameters();
  if (const torch::Tensor* weight = parameters.find("weight")) {
    torch::NoGradGuard no_grad;
    embeddings.slice(0, 0, 4).copy_(*weight * 3000);  // cos θ = 1 for the first four
  }
  embeddings.requires_grad_();
  const torch::Tensor value = loss->forward(embeddings, labels_of({0, 1, 2, 3, 0, 1, 2, 3}));
  value.backward();
  EXPECT_TRUE(std::isfinite(value.item<double>()));
  EXPECT_TRUE(embeddings.grad().isfinite().all().item<bool>());
  for (const auto& weights : loss->parameters()) EXPECT_TRUE(weights.grad().isfinite().all().item<bool>());
}

TEST(IdentityLoss, BadOptionsAreErrors) {
  LossOptions options;
  options.name = "sphereface";
  try {
    make_identity_loss(options);
    ADD_FAILURE() << "an unknown loss was made";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("triplet-semihard"), std::string::npos) << e.what();
  }
  options.name = "arcface";
  options.num_classes = 1;
  EXPECT_THROW(make_identity_loss(options), Error);
  options.num_classes = 10;
  options.margin = 4;  // past π
  EXPECT_THROW(make_identity_loss(options), Error);
  options.margin = -1;
  options.scale = 0;
  EXPECT_THROW(make_identity_loss(options), Error);
  options.scale = 64;
  options.name = "magface";
  options.magface_a_lower = 120;  // above a_upper
  EXPECT_THROW(make_identity_loss(options), Error);
  options.name = "arcface";
  auto loss = make_identity_loss(options);  // float parameters
  EXPECT_THROW(loss->forward(torch::randn({2, 512}, torch::kDouble), labels_of({0, 1})), Error);
}

// The focal loss of 2 classes: p_t = σ(z_t − z_other).
double two_class_focal(double z_true, double z_other, double gamma, double weight) {
  const double p = 1 / (1 + std::exp(z_other - z_true));
  return -weight * std::pow(1 - p, gamma) * std::log(p);
}

TEST(FocalLoss, MatchesTheFormulaForTwoClasses) {
  const torch::Tensor logits = torch::tensor({{2.0, -1.0}, {0.5, 1.5}, {-3.0, 0.0}}, torch::kDouble);
  const torch::Tensor targets = labels_of({0, 0, 1});
  const torch::Tensor weights = torch::tensor({0.25, 2.0}, torch::kDouble);
  for (double gamma : {0.0, 0.5, 2.0}) {
    const double want =
        (two_class_focal(2, -1, gamma, 0.25) + two_class_focal(0.5, 1.5, gamma, 0.25) +
         two_class_focal(0, -3, gamma, 2.0)) /
        3;
    EXPECT_NEAR(focal_loss(logits, targets, gamma, weights).item<double>(), want, 1e-12) << "gamma " << gamma;
  }
  // Without weights, gamma 0 is plain cross-entropy.
  EXPECT_NEAR(focal_loss(logits, targets, 0).item<double>(),
              torch::nn::functional::cross_entropy(logits, targets).item<double>(), 1e-12);
}

TEST(FocalLoss, GradientMatchesFiniteDifferences) {
  torch::manual_seed(3);
  torch::Tensor logits = torch::randn({6, 4}, torch::kDouble).requires_grad_();
  const torch::Tensor targets = labels_of({0, 3, 1, 2, 2, 0});
  const torch::Tensor weights = torch::tensor({1.0, 0.5, 2.0, 1.5}, torch::kDouble);
  for (double gamma : {0.0, 0.5, 2.0})
    EXPECT_LT(gradient_error([&] { return focal_loss(logits, targets, gamma, weights); }, logits), 1e-6)
        << "gamma " << gamma;
}

TEST(FocalLoss, BadInputsAreErrors) {
  const torch::Tensor logits = torch::randn({2, 3});
  EXPECT_THROW(focal_loss(logits, labels_of({0, 3}), 2), Error);
  EXPECT_THROW(focal_loss(logits, labels_of({0}), 2), Error);
  EXPECT_THROW(focal_loss(logits, labels_of({0, 1}), -1), Error);
  EXPECT_THROW(focal_loss(logits, labels_of({0, 1}), 2, torch::ones({2})), Error);
  EXPECT_THROW(focal_loss(torch::randn({6}), labels_of({0, 1}), 2), Error);
}

}  // namespace
}  // namespace facekit::train
