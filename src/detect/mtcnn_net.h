// One of MTCNN's three nets (P-Net, R-Net, O-Net) as a zoo model, shared by
// the mtcnn and mtcnn-expo detectors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"

namespace facekit {

// The net's graph (which the executor may refer to), an executor kept for
// every image, and the card's input normalisation.
struct MtcnnNet {
  nn::Graph graph;
  std::unique_ptr<nn::Executor> executor;
  float mean = 0, std = 1;

  // Loads zoo model `id` (Error naming it and the install command when absent).
  MtcnnNet(const std::string& id, const DetectOptions& options);
  // The outputs for a batch of images of one size (8-bit RGB, as the net takes them).
  std::vector<nn::Tensor> run(const std::vector<cv::Mat>& images);
  // Index of the graph output whose name contains `fragment`; Error naming
  // `id` when none does.
  int output_named(const std::string& id, const std::string& fragment) const;
};

}  // namespace facekit
