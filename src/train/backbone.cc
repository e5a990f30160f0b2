// The one place that maps backbone names to architectures.
#include <cmath>

#include "facekit/error.h"
#include "train/architectures.h"

namespace facekit::train {

std::vector<std::string> backbone_names() { return {"iresnet18", "iresnet34", "iresnet50", "mobilefacenet"}; }

std::shared_ptr<EmbeddingNet> make_backbone(const BackboneOptions& options) {
  const std::string what = "backbone '" + options.name + "'";
  check(options.input_size >= 16 && options.input_size % 16 == 0, what,
        "input_size " + std::to_string(options.input_size) + " is not a positive multiple of 16");
  check(options.in_channels >= 1, what, "in_channels must be at least 1");
  check(options.embedding_dim >= 1, what, "embedding_dim must be at least 1");
  check(std::isfinite(options.dropout) && options.dropout >= 0.f && options.dropout < 1.f, what,
        "dropout must be in [0, 1)");
  if (options.name == "iresnet18") return make_iresnet(options, 18);
  if (options.name == "iresnet34") return make_iresnet(options, 34);
  if (options.name == "iresnet50") return make_iresnet(options, 50);
  if (options.name == "mobilefacenet") return make_mobilefacenet(options);
  std::string list;
  for (const auto& n : backbone_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error(what + ": unknown (available: " + list + ")");
}

}  // namespace facekit::train
