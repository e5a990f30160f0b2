// Fused models in the Engine (fusion.h): member requests, one detection
// embedded by every member, and Engine::verify's fused decision.
#include <cmath>

#include "engine/engine_impl.h"
#include "facekit/error.h"

namespace facekit {

namespace {

// A fusion fixes each member's metric, flip and crop.
void check_fusion_flags(const RecognitionRequest& request) {
  const std::string what = "--model " + request.model;
  check(request.metric.empty(), what, "--metric does not apply to a fusion: each member's metric is its card's");
  check(!request.flip.has_value(), what, "--flip does not apply to a fusion: each member's flip is its card's");
  check(request.alignment.empty(), what, "--alignment does not apply to a fusion: each member takes its own crop");
}

// The member requests of `card`'s members.
std::vector<RecognitionRequest> member_requests(const RecognitionRequest& request, const FusionCard& card) {
  std::vector<RecognitionRequest> members;
  for (const FusionMember& member : card.members) {
    RecognitionRequest r = request;
    r.model = member.model;
    r.metric = metric_name(member.metric);
    r.flip = member.flip;
    members.push_back(std::move(r));
  }
  return members;
}

}  // namespace

Engine::FusedRequest Engine::unfitted_fusion(const RecognitionRequest& request) {
  const std::vector<std::string> names = fusion_members(request.model);
  check_fusion_flags(request);
  FusedRequest fused;
  fused.card.name = request.model;
  for (const std::string& name : names) {
    RecognitionRequest r = request;
    r.model = name;
    const RecognizerCard card = card_of(r);
    fused.card.members.push_back({name, parse_metric(card.metric), card.flip, 0});
  }
  fused.members = member_requests(request, fused.card);
  return fused;
}

Engine::FusedRequest Engine::fused_request(const RecognitionRequest& request) {
  fusion_members(request.model);
  check_fusion_flags(request);
  FusedRequest fused{fusion_card(request.model), {}};
  fused.members = member_requests(request, fused.card);
  return fused;
}

FusedModels EngineImpl::borrow_fused(const RecognitionRequest& request, int threads) {
  Engine::FusedRequest fused = Engine::fused_request(request);
  FusedModels m{std::move(fused.card), std::move(fused.members), {}};
  for (const RecognitionRequest& r : m.requests) m.members.push_back(borrow(r, threads));
  return m;
}

std::vector<FusedFace> embed_fused(FusedModels& m, const NamedImage& image, bool one_face) {
  try {
    RecognitionModels& first = m.members.front();
    EmbedFacesOptions options;
    options.detect = first.detector.has_value();
    if (one_face) options.one_face = first.face;
    options.whole_image_fallback = first.whole_image_fallback;
    const FoundFaces found = find_faces(image.rgb, first.detector ? first.detector->get() : nullptr, options);
    std::vector<FusedFace> out(found.faces.size());
    for (size_t k = 0; k < m.members.size(); ++k) {
      RecognitionModels& member = m.members[k];
      std::vector<FaceEmbedding> embedded =
          embed_found_faces(image.rgb, found, *member.recognizer, member.landmarker.get(), options.align);
      for (size_t i = 0; i < embedded.size(); ++i) {
        if (k == 0) out[i] = {embedded[i].face, embedded[i].face_found, {}, embedded[i].crop};
        out[i].embeddings.push_back(std::move(embedded[i].embedding));
      }
    }
    return out;
  } catch (const Error& e) {
    throw Error(image.name + ": " + e.what());
  }
}

double fused_threshold(const FusionCard& card, const std::optional<double>& user_threshold,
                       const std::optional<double>& far) {
  check(!far, "--far", "fusion card " + card.name + " has no false-accept table: give --threshold (a fused distance) or neither");
  if (!user_threshold) return 1 - card.threshold;
  check(std::isfinite(*user_threshold) && *user_threshold >= 0 && *user_threshold <= 1, "--threshold",
        "a fused distance (1 − P(same)) lies in [0, 1]");
  return *user_threshold;
}

std::vector<double> member_distances(const FusionCard& card, const FusedFace& a, const FusedFace& b) {
  std::vector<double> d;
  for (size_t k = 0; k < card.members.size(); ++k)
    d.push_back(distance(a.embeddings[k], b.embeddings[k], card.members[k].metric));
  return d;
}

VerifyResult verify_fused(EngineImpl& impl, const NamedImage& a, const NamedImage& b, const VerifyRequest& request) {
  FusedModels m = impl.borrow_fused(request.recognition, impl.options.threads);
  const double threshold = fused_threshold(m.card, request.threshold, request.far);
  const std::vector<FusedFace> faces_a = embed_fused(m, a, !request.all_pairs);
  require_face(!faces_a.empty(), a.name);
  const std::vector<FusedFace> faces_b = embed_fused(m, b, !request.all_pairs);
  require_face(!faces_b.empty(), b.name);

  VerifyResult r;
  std::vector<std::vector<double>> members;
  for (size_t i = 0; i < faces_a.size(); ++i)
    for (size_t j = 0; j < faces_b.size(); ++j) {
      members.push_back(member_distances(m.card, faces_a[i], faces_b[j]));
      const double p = fused_probability(m.card, members.back());
      Verification v;
      v.distance = 1 - p;
      v.threshold = threshold;
      v.verified = v.distance <= threshold;
      v.threshold_source = request.threshold ? ThresholdSource::kUser : ThresholdSource::kCalibration;
      v.probability_same = p;
      v.confidence = v.verified ? p : 1 - p;
      r.pairs.push_back({i, j, v});
    }
  size_t best = 0;
  for (size_t k = 0; k < r.pairs.size(); ++k)
    if (r.pairs[k].verification.distance < r.pairs[best].verification.distance) best = k;
  const VerifiedPair& chosen = r.pairs[best];
  r.image_a = a.name;
  r.image_b = b.name;
  r.face_a = faces_a[chosen.a].face;
  r.face_b = faces_b[chosen.b].face;
  r.face_found_a = faces_a[chosen.a].face_found;
  r.face_found_b = faces_b[chosen.b].face_found;
  r.decision = chosen.verification;
  r.threshold_source = request.threshold ? "user" : "fusion card " + m.card.source;
  r.metric = "fusion";
  r.model = m.card.name;
  r.detector = m.members.front().detector_name;
  r.all_pairs = request.all_pairs;
  for (size_t k = 0; k < m.card.members.size(); ++k)
    r.members.push_back({m.card.members[k].model, metric_name(m.card.members[k].metric), members[best][k]});
  return r;
}

}  // namespace facekit
