// export_onnx: the ONNX writer's entry point.
#include <fstream>

#include <onnx/onnx_pb.h>

#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "nn/onnx/onnx_exporter.h"

namespace facekit::nn {

void export_onnx(const Graph& graph, const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(7);  // the IR version of opset 13
  model.set_producer_name("facekit");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx_io::OnnxExporter(graph, model.mutable_graph()).run();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  check(out.good(), path, "cannot open for writing");
  check(model.SerializeToOstream(&out), path, "failed to write (a model must stay under 2 GiB)");
  out.close();
  check(out.good(), path, "failed to write");
}

}  // namespace facekit::nn
