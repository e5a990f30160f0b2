// Image pairs → distances (every pair kept, misses at +inf) → the two reports.
#include <map>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

PairScores score_pairs(const std::vector<ImagePair>& pairs, Metric metric, const EmbedImage& embed) {
  PairScores out;
  std::map<std::filesystem::path, std::optional<ImageEmbedding>> cache;
  const auto embedding_of = [&](const std::filesystem::path& image) -> const std::optional<ImageEmbedding>& {
    auto [it, added] = cache.try_emplace(image);
    if (!added) return it->second;
    try {
      it->second = embed(image);
      if (!it->second)
        out.missed_images.push_back({image, image.string() + ": no face found"});
      else if (!it->second->face_found)
        out.whole_images.push_back(image);
    } catch (const Error& e) {
      out.missed_images.push_back({image, e.what()});
    }
    return it->second;
  };
  out.pairs.reserve(pairs.size());
  for (const ImagePair& p : pairs) {
    const auto& a = embedding_of(p.a);
    const auto& b = embedding_of(p.b);
    if (!a || !b) {
      out.pairs.push_back(ScoredPair::miss(p.same, p.fold));
      continue;
    }
    out.pairs.push_back({distance(a->embedding, b->embedding, metric), p.same, p.fold});
    out.whole_image_pairs += !a->face_found || !b->face_found;
  }
  return out;
}

PairEvaluation evaluate_pairs(const PairScores& scores, const std::string& context, int folds) {
  PairEvaluation e{evaluate(scores.pairs, context, folds), std::nullopt};
  const auto scored = scored_only(scores.pairs);
  const auto has = [&](bool same) {
    for (const auto& p : scored)
      if (p.same == same) return true;
    return false;
  };
  if (has(true) && has(false) && scored.size() >= static_cast<size_t>(folds))
    e.scored_pairs = evaluate(scored, context + " (scored pairs)", folds);
  return e;
}

nlohmann::json pair_evaluation_to_json(const PairScores& scores, const PairEvaluation& evaluation, bool with_roc) {
  const int64_t total = static_cast<int64_t>(scores.pairs.size());
  const int64_t missed = evaluation.all_pairs.missed_genuine + evaluation.all_pairs.missed_impostors;
  nlohmann::json missed_images = nlohmann::json::array();
  for (const auto& m : scores.missed_images) missed_images.push_back({{"image", m.image.string()}, {"reason", m.reason}});
  nlohmann::json whole_images = nlohmann::json::array();
  for (const auto& w : scores.whole_images) whole_images.push_back(w.string());
  return {{"pairs", {{"total", total}, {"scored", total - missed}, {"missed", missed}, {"whole_image", scores.whole_image_pairs}}},
          {"missed_images", missed_images},
          {"whole_images", whole_images},
          {"all_pairs", report_to_json(evaluation.all_pairs, with_roc)},
          {"scored_pairs", evaluation.scored_pairs ? report_to_json(*evaluation.scored_pairs, with_roc) : nlohmann::json(nullptr)}};
}

}  // namespace facekit::eval
