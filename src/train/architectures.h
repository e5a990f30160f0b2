// The backbone architectures behind make_backbone (which checks the options
// first: they may assume a valid input size, channel count and dimension).
#pragma once

#include <memory>

#include "train/backbone.h"

namespace facekit::train {

// iResNet of `depth` 18, 34 or 50 (iresnet.cc).
std::shared_ptr<EmbeddingNet> make_iresnet(const BackboneOptions& options, int depth);
// MobileFaceNet (mobilefacenet.cc).
std::shared_ptr<EmbeddingNet> make_mobilefacenet(const BackboneOptions& options);

}  // namespace facekit::train
