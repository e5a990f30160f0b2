#include "pair_scoring.h"

#include <filesystem>
#include <iostream>
#include <optional>

#include "facekit/embedding_cache.h"
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
  cmd->add_option("--cache", o.cache,
                  "folder keeping each image's embedding per model and pipeline settings, for runs that re-read "
                  "the same images (remove it after changing facekit)");
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

namespace {

eval::PairScores score_with(const std::vector<eval::ImagePair>& pairs, const PairSourceOptions& source, Engine& engine,
                            const RecognitionRequest& request, Metric metric) {
  eval::EmbedImage embed = [&](const fs::path& image) -> std::optional<eval::ImageEmbedding> {
    const auto faces = engine.embed(read_named_image(image.string()), request, true);
    if (faces.empty()) return std::nullopt;
    return eval::ImageEmbedding{faces[0].embedding, faces[0].face_found};
  };
  std::optional<eval::EmbeddingCache> cache;
  if (!source.cache.empty()) embed = cache.emplace(source.cache, engine.embedding_configuration(request)).wrap(embed);
  eval::PairScores scores = eval::score_pairs(pairs, metric, embed);
  if (cache)
    std::cerr << "facekit: " << request.model << ": " << cache->hits() << " images from the cache, " << cache->misses()
              << " embedded (" << cache->file().string() << ")\n";
  return scores;
}

}  // namespace

std::vector<eval::PairScores> score_members(const PairSourceOptions& source, Engine& engine,
                                            const Engine::FusedRequest& fusion) {
  for (const RecognitionRequest& member : fusion.members) engine.card_of(member);  // names checked first
  const std::vector<eval::ImagePair> pairs = read_pairs(source);
  std::vector<eval::PairScores> scores;
  for (size_t k = 0; k < fusion.members.size(); ++k)
    scores.push_back(score_with(pairs, source, engine, fusion.members[k], fusion.card.members[k].metric));
  return scores;
}

ScoredPairSource score_pair_source(const PairSourceOptions& source, Engine& engine, const RecognitionRequest& request) {
  ScoredPairSource r;
  r.source = pair_source_name(source);
  if (is_fusion(request.model)) {
    const Engine::FusedRequest fusion = Engine::fused_request(request);
    r.model = fusion.card.name;
    r.metric = "fusion";
    r.member_scores = score_members(source, engine, fusion);
    r.scores = fuse_pair_scores(fusion.card, r.member_scores);
    return r;
  }
  r.card = engine.card_of(request);
  r.model = r.card.name;
  const Metric metric = engine.metric_of(request);
  r.metric = metric_name(metric);
  r.scores = score_with(read_pairs(source), source, engine, request, metric);
  return r;
}

}  // namespace facekit::cli
