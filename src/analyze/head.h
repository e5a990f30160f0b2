// An attribute head: one zoo model, the preprocessing its own runtime applies
// to a face crop, and the reading of its outputs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "analyze/crop.h"
#include "facekit/analyze.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/graph.h"

namespace facekit::analyze {

// Per face, per output (in output_names() order): the values.
using HeadOutputs = std::vector<std::vector<std::vector<float>>>;

class Head {
 public:
  // Loads zoo model `model_id` with `outputs` as its graph outputs, in that
  // order. Throws Error naming the model when it is missing or lacks one.
  Head(std::string model_id, std::vector<std::string> outputs, const AnalyzeOptions& options);
  // The same with a graph already loaded (a model facekit ships itself),
  // whose input may also be N×length (a vector per face).
  Head(std::string id, nn::Graph graph, std::vector<std::string> outputs, const AnalyzeOptions& options);
  virtual ~Head() = default;

  const std::string& id() const { return id_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  virtual CropStyle crop_style() const = 0;

  // For a head of crop style kOwn: its crop of each face of an 8-bit RGB
  // image, in order (default: none; the analyzer asks only kOwn heads).
  virtual std::vector<cv::Mat> own_crops(const cv::Mat& /*rgb*/, const std::vector<Face>& /*faces*/) { return {}; }

  // The outputs its runtime reports for each crop (float or 8-bit RGB,
  // 0..255, any size): the model's outputs after the activations the
  // runtime applies outside the graph (face-api's softmax). Batched when the
  // graph's batch dimension is free, else one crop at a time.
  HeadOutputs outputs(const std::vector<cv::Mat>& crops);

  // The interpreted view of one face's outputs.
  virtual HeadAnalysis interpret(const std::vector<std::vector<float>>& outputs) const = 0;

 protected:
  // The model input for one crop, [H, W, C] float (or 1 × length for a
  // vector input), as its runtime prepares it.
  virtual cv::Mat preprocess(const cv::Mat& crop) const = 0;
  // What the runtime does to the graph's outputs of one face (default: nothing).
  virtual void finish(std::vector<std::vector<float>>& /*outputs*/) const {}

  // The graph input's spatial size (0 for a vector input).
  int input_height() const { return input_height_; }
  int input_width() const { return input_width_; }

 private:
  std::string id_;
  std::vector<std::string> output_names_;
  nn::Graph graph_;
  std::unique_ptr<nn::Executor> executor_;
  std::vector<int64_t> input_dims_;  // the graph input's shape after the batch
  int input_height_ = 0, input_width_ = 0;
  bool batchable_ = false;
};

// Softmax in place (face-api's tf.softmax on a row of logits).
void softmax(std::vector<float>& values);

}  // namespace facekit::analyze
