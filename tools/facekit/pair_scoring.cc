#include "pair_scoring.h"

#include <filesystem>
#include <iostream>
#include <map>
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

std::vector<eval::ScoredPair> score_pairs(const std::vector<eval::ImagePair>& pairs, RecognitionModels& models,
                                          int64_t& skipped) {
  std::map<fs::path, std::optional<std::vector<float>>> embeddings;  // nullopt: unusable image
  auto embedding_of = [&](const fs::path& path) -> const std::optional<std::vector<float>>& {
    auto [it, added] = embeddings.try_emplace(path);
    if (!added) return it->second;
    try {
      const auto faces = embed_image(path.string(), models, true);
      if (faces.empty())
        std::cerr << "facekit: " << path.string() << ": no face found; its pairs are left out\n";
      else
        it->second = faces[0].embedding;
    } catch (const Error& e) {
      std::cerr << "facekit: " << e.what() << "; its pairs are left out\n";
    }
    return it->second;
  };
  std::vector<eval::ScoredPair> scored;
  skipped = 0;
  for (const eval::ImagePair& p : pairs) {
    const auto& a = embedding_of(p.a);
    const auto& b = embedding_of(p.b);
    if (!a || !b) {
      ++skipped;
      continue;
    }
    scored.push_back({distance(*a, *b, models.metric), p.same, p.fold});
  }
  check(!scored.empty(), "pairs", "no pair has a face in both images");
  return scored;
}

}  // namespace facekit::cli
