#include "detect/mtcnn_net.h"

#include "facekit/error.h"
#include "facekit/zoo.h"
#include "image/to_tensor.h"

namespace facekit {

MtcnnNet::MtcnnNet(const std::string& id, const DetectOptions& options) : graph(nn::load_zoo_model(id)) {
  const auto& input = zoo::model(id).card.at("input");
  mean = input.at("mean").get<float>();
  std = input.at("std").get<float>();
  executor = nn::make_executor(options.executor, graph, {options.threads});
}

std::vector<nn::Tensor> MtcnnNet::run(const std::vector<cv::Mat>& images) {
  return executor->run({to_tensor(images, mean, std)});
}

int MtcnnNet::output_named(const std::string& id, const std::string& fragment) const {
  for (size_t i = 0; i < graph.outputs.size(); ++i)
    if (graph.values[graph.outputs[i]].name.find(fragment) != std::string::npos) return static_cast<int>(i);
  throw Error("model " + id + ": no output named like '" + fragment + "'");
}

}  // namespace facekit
