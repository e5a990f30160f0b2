#include "analyze/head.h"

#include <algorithm>
#include <cmath>

#include "facekit/error.h"
#include "facekit/nn/model.h"

namespace facekit::analyze {

Head::Head(std::string model_id, std::vector<std::string> outputs, const AnalyzeOptions& options)
    : Head(model_id, nn::load_zoo_model(model_id), std::move(outputs), options) {}

Head::Head(std::string id, nn::Graph graph, std::vector<std::string> outputs, const AnalyzeOptions& options)
    : id_(std::move(id)), output_names_(std::move(outputs)), graph_(std::move(graph)) {
  graph_.set_outputs(output_names_);
  check(graph_.inputs.size() == 1, id_, "expected one graph input");
  const nn::Shape& shape = graph_.values[graph_.inputs[0]].shape;
  const bool image = shape.size() == 4 && shape[1] > 0 && shape[2] > 0;
  check(image || (shape.size() == 2 && shape[1] > 0), id_, "expected an NHWC input of known size or an N×length one");
  input_dims_.assign(shape.begin() + 1, shape.end());
  if (image) {
    input_height_ = static_cast<int>(shape[1]);
    input_width_ = static_cast<int>(shape[2]);
  }
  batchable_ = shape[0] < 0;
  executor_ = nn::make_executor(options.executor, graph_, {options.threads});
}

HeadOutputs Head::outputs(const std::vector<cv::Mat>& crops) {
  HeadOutputs result;
  if (crops.empty()) return result;
  std::vector<cv::Mat> inputs;
  for (const cv::Mat& crop : crops) inputs.push_back(preprocess(crop));
  const size_t batch = batchable_ ? inputs.size() : 1;
  for (size_t first = 0; first < inputs.size(); first += batch) {
    std::vector<int64_t> dims = {static_cast<int64_t>(batch)};
    dims.insert(dims.end(), input_dims_.begin(), input_dims_.end());
    if (dims.size() == 4) dims[3] = inputs[first].channels();
    nn::Tensor x(nn::DType::kFloat32, dims);
    const size_t per_face = static_cast<size_t>(x.numel()) / batch;
    for (size_t i = 0; i < batch; ++i) {
      const cv::Mat& in = inputs[first + i];
      check(in.isContinuous() && in.total() * in.channels() == per_face, id_, "preprocessing gave a wrong size");
      std::copy_n(in.ptr<float>(), per_face, x.data<float>() + i * per_face);
    }
    const std::vector<nn::Tensor> ys = executor_->run({x});
    for (size_t i = 0; i < batch; ++i) {
      std::vector<std::vector<float>> face;
      for (const nn::Tensor& y : ys) {
        const int64_t per = y.numel() / static_cast<int64_t>(batch);
        face.emplace_back(y.data<float>() + i * per, y.data<float>() + (i + 1) * per);
      }
      finish(face);
      result.push_back(std::move(face));
    }
  }
  return result;
}

void softmax(std::vector<float>& values) {
  const float top = *std::max_element(values.begin(), values.end());
  double sum = 0;
  for (float& v : values) sum += (v = std::exp(v - top));
  for (float& v : values) v = static_cast<float>(v / sum);
}

}  // namespace facekit::analyze
