#include "pair_scoring.h"

#include <filesystem>
#include <optional>

#include "facekit/error.h"

namespace facekit::cli {

namespace fs = std::filesystem;

void add_pair_source_options(CLI::App* cmd, PairSourceOptions& o) {
  auto* lfw = cmd->add_option("--pairs", o.lfw_pairs, "LFW-format pairs.txt (with --root)");
  cmd->add_option("--root", o.root, "image root of --pairs (root/name/name_0001.jpg) or of --csv's relative paths");
  auto* csv = cmd->add_option("--csv", o.csv, "CSV of a,b,same (1/0)");
  auto* folders = cmd->add_option("--folders", o.folders, "a folder per identity: pairs sampled with a fixed seed");
  lfw->excludes(csv, folders);
  csv->excludes(folders);
  cmd->add_option("--pairs-per-class", o.sampling.pairs_per_class, "with --folders: genuine (and impostor) pairs")
      ->capture_default_str();
  cmd->add_option("--seed", o.sampling.seed, "with --folders: the sampler's seed")->capture_default_str();
}

std::vector<eval::ImagePair> read_pairs(const PairSourceOptions& o) {
  check(!o.lfw_pairs.empty() || !o.csv.empty() || !o.folders.empty(), "pairs",
        "say where the pairs come from: --pairs FILE --root DIR, --csv FILE or --folders DIR");
  if (!o.lfw_pairs.empty()) {
    check(!o.root.empty(), "--pairs", "needs --root, the folder of the LFW images");
    return eval::read_lfw_pairs(o.lfw_pairs, o.root);
  }
  if (!o.csv.empty()) return eval::read_csv_pairs(o.csv, o.root.empty() ? fs::path(o.csv).parent_path() : fs::path(o.root));
  check(o.sampling.pairs_per_class > 0, "--pairs-per-class", "must be positive");
  return eval::sample_folder_pairs(o.folders, o.sampling);
}

std::string pair_source_name(const PairSourceOptions& o) {
  if (!o.lfw_pairs.empty()) return "LFW pairs " + o.lfw_pairs;
  if (!o.csv.empty()) return "CSV pairs " + o.csv;
  return "folders " + o.folders + " (" + std::to_string(o.sampling.pairs_per_class) + " pairs per class, seed " +
         std::to_string(o.sampling.seed) + ")";
}

ScoredPairSource score_pair_source(const PairSourceOptions& source, Engine& engine, const RecognitionRequest& request) {
  ScoredPairSource r{engine.card_of(request), engine.metric_of(request), pair_source_name(source), {}};
  r.scores = eval::score_pairs(read_pairs(source), r.metric, [&](const fs::path& image) -> std::optional<eval::ImageEmbedding> {
    const auto faces = engine.embed(read_named_image(image.string()), request, true);
    if (faces.empty()) return std::nullopt;
    return eval::ImageEmbedding{faces[0].embedding, faces[0].face_found};
  });
  return r;
}

}  // namespace facekit::cli
