#include "facekit/json.h"

#include <cmath>

#include "facekit/text.h"
#include "facekit/video.h"

namespace facekit {

namespace {

// Digits past 1/100 pixel, 1/10000 of a score and 1e-6 of a distance are noise.
double rounded(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }
double px(double value) { return rounded(value, 100); }
double unit(double value) { return rounded(value, 10000); }
Json optional_distance(const std::optional<double>& v) { return v ? Json(rounded(*v, 1e6)) : Json(nullptr); }
// JSON has no infinity: a missing runner-up is null.
Json finite_distance(double d) { return std::isfinite(d) ? Json(rounded(d, 1e6)) : Json(nullptr); }

Json box_json(const cv::Rect2f& b) {
  return {{"x", px(b.x)}, {"y", px(b.y)}, {"width", px(b.width)}, {"height", px(b.height)}};
}

// {box, score}: a face where the verb's answer is about something else.
Json face_summary_json(const Face& face) { return {{"box", box_json(face.box)}, {"score", unit(face.score)}}; }

Json points_json(const std::vector<cv::Point2f>& points) {
  Json array = Json::array();
  for (const auto& p : points) array.push_back({px(p.x), px(p.y)});
  return array;
}

Json detected_face_json(const Face& face) {
  const FaceQuality& q = face.quality;
  Json j = {{"box", box_json(face.box)},
            {"score", unit(face.score)},
            {"landmarks", points_json(face.landmarks)},
            {"quality", {{"size", unit(q.size)}, {"sharpness", unit(q.sharpness)}, {"brightness", unit(q.brightness)},
                         {"contrast", unit(q.contrast)}, {"pose", unit(q.pose)}, {"overall", unit(q.overall)}}}};
  if (!face.landmarks68.empty()) j["landmarks68"] = points_json(face.landmarks68);
  return j;
}

Json emotion_json(const EmotionDistribution& e) {
  Json j;
  for (size_t k = 0; k < kEmotionNames.size(); ++k) j[kEmotionNames[k]] = unit(e[k]);
  return j;
}

Json race_json(const std::vector<std::pair<std::string, float>>& race) {
  Json j;
  for (const auto& [name, p] : race) j[name] = unit(p);
  return j;
}

Json age_json(const AgeEstimate& age) { return {{"years", unit(age.years)}, {"uncertainty", unit(age.uncertainty)}}; }

Json head_json(const HeadAnalysis& h) {
  Json j = {{"head", h.head}};
  if (h.age) j["age"] = age_json(*h.age);
  if (h.male_probability) j["male_probability"] = unit(*h.male_probability);
  if (h.emotion) j["emotion"] = emotion_json(*h.emotion);
  if (!h.race.empty()) j["race"] = race_json(h.race);
  if (h.real_probability) j["real_probability"] = unit(*h.real_probability);
  if (h.liveness) j["liveness"] = unit(*h.liveness);
  if (h.spoof_score) j["spoof_score"] = unit(*h.spoof_score);
  return j;
}

Json analysed_face_json(const Face& face, const FaceAnalysis& a) {
  Json j = {{"box", box_json(face.box)}, {"score", unit(face.score)}, {"quality", unit(face.quality.overall)}};
  if (!a.refused.empty()) {
    j["refused"] = a.refused;
    return j;
  }
  if (a.age) j["age"] = age_json(*a.age);
  if (a.gender) j["gender"] = {{"value", *a.gender}, {"probability", unit(a.gender_probability)}};
  if (a.emotion) j["emotion"] = emotion_json(*a.emotion);
  if (!a.race.empty()) j["race"] = race_json(a.race);
  if (a.real_probability) j["real_probability"] = unit(*a.real_probability);
  Json agreement = Json::object();
  for (const auto& [attribute, value] : a.agreement) agreement[attribute] = unit(value);
  j["agreement"] = agreement;
  j["confidence"] = unit(a.confidence);
  j["grayscale"] = a.grayscale;
  Json heads = Json::array();
  for (const HeadAnalysis& h : a.heads) heads.push_back(head_json(h));
  j["heads"] = heads;
  return j;
}

Json clustered_face_json(const ClusteredFace& f) {
  Json j;
  put_name(j, "image", f.image);
  j["box"] = box_json(f.box);
  return j;
}

}  // namespace

void put_name(Json& object, const std::string& key, const std::string& name) {
  if (is_utf8(name)) {
    object[key] = name;
    return;
  }
  object[key] = to_utf8_lossy(name);
  object[key + "_bytes"] = base64(name);
}

std::string dump(const Json& json, int indent) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Json to_json(const DetectResult& r) {
  Json j;
  put_name(j, "image", r.image);
  j["width"] = r.width;
  j["height"] = r.height;
  j["detector"] = r.detector;
  Json faces = Json::array();
  for (const Face& face : r.faces) faces.push_back(detected_face_json(face));
  j["faces"] = faces;
  return j;
}

Json to_json(const RepresentResult& r) {
  Json j;
  put_name(j, "image", r.image);
  put_name(j, "model", r.model);
  j["dimension"] = r.dimension;
  j["l2_normalized"] = r.l2_normalized;
  j["detector"] = r.detector;
  Json faces = Json::array();
  for (const FaceEmbedding& f : r.faces) {
    Json face = face_summary_json(f.face);
    face["face_found"] = f.face_found;
    face["embedding"] = f.embedding;
    faces.push_back(std::move(face));
  }
  j["faces"] = faces;
  return j;
}

Json to_json(const VerifyResult& r) {
  const Verification& v = r.decision;
  Json j = {{"verified", v.verified},
            {"distance", rounded(v.distance, 1e6)},
            {"threshold", rounded(v.threshold, 1e6)}};
  put_name(j, "threshold_source", r.threshold_source);
  j["metric"] = r.metric;
  put_name(j, "model", r.model);
  j["detector"] = r.detector;
  j["confidence"] = optional_distance(v.confidence);
  j["probability_same"] = optional_distance(v.probability_same);
  Json a, b;
  put_name(a, "image", r.image_a);
  a["face"] = face_summary_json(r.face_a);
  a["face_found"] = r.face_found_a;
  put_name(b, "image", r.image_b);
  b["face"] = face_summary_json(r.face_b);
  b["face_found"] = r.face_found_b;
  j["faces"] = {a, b};
  if (!r.members.empty()) {
    Json members = Json::array();
    for (const MemberDistance& m : r.members)
      members.push_back({{"model", m.model}, {"metric", m.metric}, {"distance", rounded(m.distance, 1e6)}});
    j["members"] = std::move(members);
  }
  if (r.all_pairs) {
    Json list = Json::array();
    for (const VerifiedPair& p : r.pairs)
      list.push_back({{"a", p.a},
                      {"b", p.b},
                      {"verified", p.verification.verified},
                      {"distance", rounded(p.verification.distance, 1e6)},
                      {"confidence", optional_distance(p.verification.confidence)}});
    j["pairs"] = std::move(list);
  }
  return j;
}

Json to_json(const AnalyzeResult& r) {
  Json j;
  put_name(j, "image", r.image);
  j["width"] = r.width;
  j["height"] = r.height;
  j["detector"] = r.detector;
  j["heads"] = r.heads;
  Json faces = Json::array();
  for (size_t i = 0; i < r.faces.size(); ++i) faces.push_back(analysed_face_json(r.faces[i], r.analyses[i]));
  j["faces"] = faces;
  return j;
}

Json to_json(const EnrollResult& r) {
  Json j;
  put_name(j, "db", r.db);
  put_name(j, "model", r.model);
  j["added"] = r.added;
  j["replaced"] = r.replaced;
  j["unchanged"] = r.unchanged;
  j["duplicates"] = r.duplicates;
  j["faceless"] = r.faceless;
  j["unreadable"] = r.unreadable;
  j["people"] = r.people;
  j["vectors"] = r.vectors;
  return j;
}

Json to_json(const FindResult& r) {
  Json faces = Json::array();
  for (const FoundFace& f : r.faces) {
    const Identification& id = f.identification;
    Json candidates = Json::array();
    for (const auto& c : id.candidates) {
      Json candidate;
      put_name(candidate, "identity", c.identity);
      candidate["distance"] = finite_distance(c.distance);
      candidates.push_back(std::move(candidate));
    }
    Json face = {{"face", face_summary_json(f.face)}};
    if (id.identity)
      put_name(face, "identity", *id.identity);
    else
      face["identity"] = nullptr;
    face["distance"] = finite_distance(id.distance);
    face["margin"] = finite_distance(id.margin);
    face["confidence"] = unit(id.confidence);
    face["confidence_is_probability"] = id.calibrated;
    face["candidates"] = candidates;
    if (f.thumbnail) put_name(face, "thumbnail", *f.thumbnail);
    faces.push_back(std::move(face));
  }
  Json j;
  put_name(j, "image", r.image);
  put_name(j, "model", r.model);
  j["metric"] = r.metric;
  j["threshold"] = r.threshold;
  put_name(j, "threshold_source", r.threshold_source);
  j["aggregation"] = r.aggregation;
  j["faces"] = faces;
  return j;
}

Json to_json(const ClusterResult& r) {
  Json clusters = Json::array();
  for (const Cluster& cluster : r.clustering.clusters) {
    Json members = Json::array();
    for (size_t m : cluster.members) members.push_back(clustered_face_json(r.faces[m]));
    clusters.push_back({{"size", cluster.members.size()},
                        {"representative", clustered_face_json(r.faces[cluster.representative])},
                        {"faces", members}});
  }
  Json j;
  put_name(j, "folder", r.folder);
  put_name(j, "model", r.model);
  j["metric"] = r.metric;
  j["threshold"] = r.threshold;
  put_name(j, "threshold_source", r.threshold_source);
  j["faces"] = r.faces.size();
  j["clusters"] = clusters;
  return j;
}

namespace {

Json averaged_json(const Averaged& a) {
  return {{"mean", unit(a.mean)}, {"uncertainty", unit(a.uncertainty)}, {"frames", a.frames}};
}

Json track_attributes_json(const TrackAttributes& a) {
  Json j = Json::object();
  if (a.age) j["age"] = {{"years", unit(a.age->mean)}, {"uncertainty", unit(a.age->uncertainty)}, {"frames", a.age->frames}};
  if (a.male_probability) j["male_probability"] = averaged_json(*a.male_probability);
  if (a.emotion) {
    j["emotion"] = emotion_json(*a.emotion);
    j["emotion"]["frames"] = a.emotion_frames;
  }
  if (a.real_probability) j["real_probability"] = averaged_json(*a.real_probability);
  return j;
}

}  // namespace

Json to_json(const TrackEvent& e) {
  const TrackState& t = e.track;
  Json j = {{"event", event_name(e.kind)}, {"track", t.id}, {"frame", e.frame}, {"time", rounded(e.time, 1000)},
            {"box", box_json(t.box)}};
  if (t.identity) put_name(j, "identity", *t.identity);
  else j["identity"] = nullptr;
  put_name(j, "leading", t.leading);
  j["confidence"] = unit(t.confidence);
  j["evidence"] = unit(t.evidence);
  j["detections"] = t.detections;
  j["first_frame"] = t.first_frame;
  j["last_seen_frame"] = t.last_seen_frame;
  j["attributes"] = track_attributes_json(t.attributes);
  return j;
}

Json to_json(const WatchSummary& s) {
  Json j = {{"event", "summary"}};
  put_name(j, "source", s.source);
  j["frames"] = s.frames;
  j["detection_frames"] = s.detection_frames;
  j["tracks"] = s.tracks;
  put_name(j, "model", s.model);
  j["metric"] = s.metric;
  j["detector"] = s.detector;
  j["threshold"] = rounded(s.threshold, 1e6);
  put_name(j, "threshold_source", s.threshold_source);
  j["seconds"] = rounded(s.seconds, 1000);
  return j;
}

}  // namespace facekit
