#include "train/augment.h"

#include "facekit/error.h"

namespace facekit::train {

torch::Tensor augment(const torch::Tensor& sample, const std::vector<ChannelRole>& roles,
                      const AugmentOptions& options, std::mt19937_64& rng) {
  check(sample.dim() == 3 && sample.size(0) == static_cast<int64_t>(roles.size()), "augment",
        "the sample has " + std::to_string(sample.dim() == 3 ? sample.size(0) : -1) + " channels for " +
            std::to_string(roles.size()) + " channel roles");
  // Every draw first, whatever the options, so that the stream stays aligned.
  std::uniform_int_distribution<int> shift(-options.max_shift, options.max_shift);
  const int dx = shift(rng), dy = shift(rng);
  const bool flip = std::bernoulli_distribution(0.5)(rng) && options.flip;
  const float gain = std::uniform_real_distribution<float>(1 - options.brightness, 1 + options.brightness)(rng);
  const uint64_t noise_seed = rng();

  const int64_t h = sample.size(1), w = sample.size(2);
  torch::Tensor out = torch::zeros_like(sample);
  // Destination rows [y0, y1) take source rows [y0 − dy, y1 − dy); columns likewise.
  const int64_t y0 = std::max<int64_t>(0, dy), y1 = std::min<int64_t>(h, h + dy);
  const int64_t x0 = std::max<int64_t>(0, dx), x1 = std::min<int64_t>(w, w + dx);
  using torch::indexing::Slice;
  if (y0 < y1 && x0 < x1)
    out.index_put_({Slice(), Slice(y0, y1), Slice(x0, x1)}, sample.index({Slice(), Slice(y0 - dy, y1 - dy), Slice(x0 - dx, x1 - dx)}));
  if (flip) out = out.flip({2});

  torch::Tensor noise;
  if (options.noise > 0) {
    auto generator = at::detail::createCPUGenerator(noise_seed);
    noise = torch::randn({h, w}, generator, sample.options()) * options.noise;
  }
  for (size_t c = 0; c < roles.size(); ++c) {
    torch::Tensor channel = out[static_cast<int64_t>(c)];
    switch (roles[c]) {
      case ChannelRole::kIntensity:
        channel.mul_(gain);
        if (noise.defined()) channel.add_(noise);
        break;
      case ChannelRole::kNormalX:
        if (flip) channel.neg_();
        break;
      case ChannelRole::kGeometry: break;
    }
  }
  return out;
}

}  // namespace facekit::train
