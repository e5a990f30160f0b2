// CompreFace's REST routes under /api/v1: the same paths, parameters and
// answer shapes (box {probability, x_min, y_min, x_max, y_max}, subjects
// [{subject, similarity}]), with facekit's unknown, distance, threshold and
// confidence beside them.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "facekit/match.h"
#include "serve/http_error.h"
#include "serve/service.h"

namespace facekit::serve {

namespace {

const std::string kBase = "/api/v1";
const std::vector<std::string> kFileFields = {"file"};

Json box_of(const Json& face) {  // face: {box: {x, y, width, height}, score}
  const Json& b = face.at("box");
  const double x = b["x"].get<double>(), y = b["y"].get<double>();
  return {{"probability", face.at("score")},
          {"x_min", static_cast<int>(std::lround(x))},
          {"y_min", static_cast<int>(std::lround(y))},
          {"x_max", static_cast<int>(std::lround(x + b["width"].get<double>()))},
          {"y_max", static_cast<int>(std::lround(y + b["height"].get<double>()))}};
}

// CompreFace's similarity, 1 most alike, from facekit's distance: the
// cosine similarity for cosine and euclidean_l2 (which are its functions on
// normalised vectors), 1 / (1 + d) for euclidean.
double similarity(double distance, const std::string& metric) {
  double s = 1 / (1 + distance);
  if (metric == "cosine") s = 1 - distance;
  if (metric == "euclidean_l2") s = 1 - distance * distance / 2;
  return std::round(std::clamp(s, 0.0, 1.0) * 1e5) / 1e5;
}

int64_t image_id_param(const httplib::Request& request) {
  const std::string text = path_param(request, 1);
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size()) return id;
  } catch (const std::exception&) {
  }
  throw HttpError(404, "no such face: " + text);
}

Json subject_json(const std::string& name) {
  Json j;
  put_name(j, "subject", name);
  return j;
}

void add_subject(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const auto subject = fields.text("subject");
  if (!subject || subject->empty()) throw HttpError(400, "subject: missing");
  service.gallery(fields, x.key).add_subject(*subject);
  reply(x.response, subject_json(*subject), 201);
}

void list_subjects(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  Json names = Json::array();
  for (const std::string& s : service.gallery(fields, x.key).subjects()) names.push_back(subject_json(s)["subject"]);
  reply(x.response, {{"subjects", names}});
}

void rename_subject(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const auto to = fields.text("subject");
  if (!to || to->empty()) throw HttpError(400, "subject: the new name is missing");
  service.gallery(fields, x.key).rename_subject(path_param(x.request, 1), *to);
  reply(x.response, {{"updated", true}});
}

void remove_subject(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const std::string subject = path_param(x.request, 1);
  service.gallery(fields, x.key).remove_subject(subject);
  reply(x.response, subject_json(subject));
}

void remove_all_subjects(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  GalleryService& gallery = service.gallery(fields, x.key);
  int deleted = 0;
  for (const std::string& s : gallery.subjects()) {
    gallery.remove_subject(s);
    ++deleted;
  }
  reply(x.response, {{"deleted", deleted}});
}

void add_face(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const auto subject = fields.text("subject");
  if (!subject || subject->empty()) throw HttpError(400, "subject: missing (?subject=NAME)");
  GalleryService& gallery = service.gallery(fields, x.key);
  const NamedImage image = decode_upload(fields.image(kFileFields, service.options.image_root));
  const StoredFace stored = gallery.add_face(*subject, image, recognition_request(fields));
  Json j = {{"image_id", std::to_string(stored.image_id)}};
  put_name(j, "subject", stored.subject);
  reply(x.response, j, 201);
}

void list_faces(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const int page = fields.integer("page", 0, 0, 1'000'000'000);
  const int size = fields.integer("size", 20, 1, 10'000);
  const GalleryService& gallery = service.gallery(fields, x.key);
  const std::string subject = fields.text("subject").value_or("");
  const int64_t total = gallery.face_count(subject);
  Json faces = Json::array();
  for (const StoredFace& f : gallery.faces(subject, int64_t{page} * size, size)) {
    Json face = {{"image_id", std::to_string(f.image_id)}};
    put_name(face, "subject", f.subject);
    face["model"] = f.model;
    faces.push_back(std::move(face));
  }
  reply(x.response, {{"faces", faces},
                     {"page_number", page},
                     {"page_size", size},
                     {"total_pages", (total + size - 1) / size},
                     {"total_elements", total}});
}

void remove_faces(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const auto subject = fields.text("subject");
  if (!subject) throw HttpError(400, "subject: missing (?subject=NAME deletes that subject's faces)");
  reply(x.response, {{"deleted", service.gallery(fields, x.key).remove_faces_of(*subject)}});
}

void remove_face(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const StoredFace removed = service.gallery(fields, x.key).remove_face(image_id_param(x.request));
  Json j = {{"image_id", std::to_string(removed.image_id)}};
  put_name(j, "subject", removed.subject);
  reply(x.response, j);
}

void face_image(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const std::vector<uint8_t> jpeg = service.gallery(fields, x.key).thumbnail(image_id_param(x.request));
  x.response.set_content(std::string(jpeg.begin(), jpeg.end()), "image/jpeg");
}

// The faces a request keeps: det_prob_threshold and limit (0: all), applied
// to a list of facekit face JSONs, each with its "score".
std::vector<size_t> kept_faces(const RequestFields& fields, const std::vector<const Json*>& faces) {
  const double threshold = fields.number("det_prob_threshold").value_or(0);
  if (threshold < 0 || threshold > 1) throw HttpError(400, "det_prob_threshold: must be in [0, 1]");
  const int limit = fields.integer("limit", 0, 0, 100000);
  std::vector<size_t> kept;
  for (size_t i = 0; i < faces.size(); ++i)
    if ((*faces[i])["score"].get<double>() >= threshold && (limit == 0 || static_cast<int>(kept.size()) < limit))
      kept.push_back(i);
  return kept;
}

// CompreFace's face_plugins a request asks for. landmarks comes from the
// detector (detection only); age and gender from facekit's analysis heads;
// calculator (the embedding) from the recognizer (recognition only).
struct Plugins {
  bool landmarks = false, age = false, gender = false, calculator = false;
};

Plugins plugins_of(const RequestFields& fields, bool recognition) {
  const bool landmarks_offered = !recognition;
  Plugins p;
  const std::string list = fields.text("face_plugins", true).value_or("");
  for (size_t start = 0; start < list.size();) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string plugin = list.substr(start, comma - start);
    if (plugin == "age") {
      p.age = true;
    } else if (plugin == "gender") {
      p.gender = true;
    } else if (plugin == "landmarks" && landmarks_offered) {
      p.landmarks = true;
    } else if (plugin == "calculator" && recognition) {
      p.calculator = true;
    } else if (!plugin.empty()) {
      throw HttpError(400, "face_plugins: '" + plugin + "' is not offered here (" +
                               (recognition ? "calculator, " : "landmarks, ") + "age and gender are)");
    }
    start = comma + 1;
  }
  return p;
}

double overlap(const Json& a, const Json& b) {  // intersection over union of two {x, y, width, height}
  const double ax = a["x"], ay = a["y"], aw = a["width"], ah = a["height"];
  const double bx = b["x"], by = b["y"], bw = b["width"], bh = b["height"];
  const double w = std::min(ax + aw, bx + bw) - std::max(ax, bx), h = std::min(ay + ah, by + bh) - std::max(ay, by);
  const double inter = std::max(0.0, w) * std::max(0.0, h);
  return inter / (aw * ah + bw * bh - inter);
}

// The analysis (facekit's analyze JSON) of the faces of `image` when age or
// gender is asked for; null otherwise.
Json analysis_for(Service& service, const NamedImage& image, const Plugins& plugins, bool no_detect) {
  if (!plugins.age && !plugins.gender) return nullptr;
  AnalyzeRequest request;
  request.actions = "age,gender";
  request.no_detect = no_detect;
  return to_json(service.engine.analyze(image, request));
}

// The embedding of the face of `represented` (facekit's represent JSON)
// overlapping `box` most; null when none does.
Json embedding_at(const Json& represented, const Json& box) {
  const Json* best = nullptr;
  double best_overlap = 0.3;
  for (const Json& face : represented["faces"])
    if (const double o = overlap(face["box"], box); o >= best_overlap) std::tie(best, best_overlap) = std::pair(&face, o);
  return best ? (*best)["embedding"] : Json(nullptr);
}

// Adds CompreFace's age {probability, low, high} and gender {probability,
// value} to `result` from the analysed face overlapping `box` most (IoU ≥
// 0.3: the analysis runs its own detector); nothing when none does.
void add_attributes(const Json& analysis, const Json& box, const Plugins& plugins, Json& result) {
  if (analysis.is_null()) return;
  const Json* best = nullptr;
  double best_overlap = 0.3;
  for (const Json& face : analysis["faces"])
    if (const double o = overlap(face["box"], box); o >= best_overlap) std::tie(best, best_overlap) = std::pair(&face, o);
  if (!best) return;
  if (plugins.age && best->contains("age")) {
    const double years = (*best)["age"]["years"], spread = (*best)["age"]["uncertainty"];
    result["age"] = {{"probability", (*best)["confidence"]},
                     {"low", static_cast<int>(std::floor(std::max(0.0, years - spread)))},
                     {"high", static_cast<int>(std::ceil(years + spread))}};
  }
  if (plugins.gender && best->contains("gender")) result["gender"] = (*best)["gender"];
}

// facekit's candidate_faces: each candidate of each face in `facekit` (find's
// JSON) gets "image_id", its stored face nearest to that face — the picture
// it was matched by (GET .../faces/{image_id}/img). The image's faces are
// embedded again (same detector and recognizer, so the same boxes) to have
// their vectors, which find's answer does not carry.
void add_candidate_faces(Service& service, const GalleryService& gallery, const NamedImage& image,
                         const RecognitionRequest& recognition, const std::string& model, Json& facekit) {
  if (facekit["metric"] == "fusion") throw HttpError(400, "candidate_faces: not offered for fused models");
  const Metric metric = parse_metric(facekit["metric"]);
  const std::vector<FaceEmbedding> embedded = service.engine.embed(image, recognition, /*one_face=*/false);
  for (Json& face : facekit["faces"]) {
    const FaceEmbedding* best = nullptr;
    double best_overlap = 0.3;
    for (const FaceEmbedding& e : embedded) {
      const Json box = {{"x", e.face.box.x}, {"y", e.face.box.y}, {"width", e.face.box.width}, {"height", e.face.box.height}};
      if (const double o = overlap(box, face["face"]["box"]); o >= best_overlap) std::tie(best, best_overlap) = std::pair(&e, o);
    }
    if (!best) continue;
    std::vector<std::string> identities;
    for (const Json& c : face["candidates"]) identities.push_back(c["identity"]);
    const std::map<std::string, int64_t> nearest = gallery.nearest_faces(identities, model, best->embedding, metric);
    for (Json& c : face["candidates"])
      if (const auto found = nearest.find(c["identity"]); found != nearest.end())
        c["image_id"] = std::to_string(found->second);
  }
}

void recognize(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const Plugins plugins = plugins_of(fields, true);
  GalleryService& gallery = service.gallery(fields, x.key);
  FindRequest request;
  request.db = gallery.search_location();
  request.recognition = recognition_request(fields);
  request.k = fields.integer("prediction_count", 1, 1, 1000);
  request.threshold = fields.number("threshold");
  const std::string model = service.engine.gallery_model_of(request.recognition);
  if (gallery.vector_count(model) == 0)
    throw HttpError(400, "gallery " + gallery.name() + " holds no faces of model " + model +
                             ": add some first (POST /api/v1/recognition/faces?subject=NAME)");
  const NamedImage image = decode_upload(fields.image(kFileFields, service.options.image_root));
  Json facekit = to_json(service.engine.find(image, request));
  std::vector<const Json*> faces;
  for (const Json& f : facekit["faces"]) faces.push_back(&f["face"]);
  const std::vector<size_t> kept = kept_faces(fields, faces);
  if (kept.empty()) throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  if (fields.flag("candidate_faces", false))
    add_candidate_faces(service, gallery, image, request.recognition, model, facekit);
  const std::string metric = facekit["metric"];
  const Json analysis = analysis_for(service, image, plugins, request.recognition.no_detect);
  const Json represented =
      plugins.calculator ? to_json(service.engine.represent(image, {request.recognition, false})) : Json(nullptr);
  Json result = Json::array();
  for (const size_t i : kept) {
    const Json& face = facekit["faces"][i];
    Json subjects = Json::array();
    for (const Json& c : face["candidates"])
      if (!c["distance"].is_null())
        subjects.push_back({{"subject", c["identity"]}, {"similarity", similarity(c["distance"].get<double>(), metric)}});
    Json r = {{"box", box_of(face["face"])}, {"subjects", subjects}, {"unknown", face["identity"].is_null()}};
    r["subject"] = face["identity"];
    r["distance"] = face["distance"];
    r["threshold"] = facekit["threshold"];
    r["confidence"] = face["confidence"];
    add_attributes(analysis, face["face"]["box"], plugins, r);
    if (plugins.calculator) r["embedding"] = embedding_at(represented, face["face"]["box"]);
    result.push_back(std::move(r));
  }
  reply(x.response, {{"result", result}, {"facekit", facekit}});
}

void verify(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  VerifyRequest request;
  request.recognition = recognition_request(fields);
  request.threshold = fields.number("threshold");
  const NamedImage source = decode_upload(fields.image({"source_image"}, service.options.image_root));
  const NamedImage target = decode_upload(fields.image({"target_image"}, service.options.image_root));
  const Json facekit = to_json(service.engine.verify(source, target, request));
  const Json match = {{"box", box_of(facekit["faces"][1]["face"])},
                      {"similarity", similarity(facekit["distance"].get<double>(), facekit["metric"].get<std::string>())},
                      {"verified", facekit["verified"]},
                      {"distance", facekit["distance"]},
                      {"threshold", facekit["threshold"]},
                      {"confidence", facekit["confidence"]}};
  reply(x.response, {{"result", {{{"source_image_face", {{"box", box_of(facekit["faces"][0]["face"])}}},
                                  {"face_matches", {match}}}}},
                     {"facekit", facekit}});
}

void detect(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const Plugins plugins = plugins_of(fields, false);
  DetectRequest request;
  if (auto detector = fields.text("detector_backend")) request.detector = *detector;
  const NamedImage image = decode_upload(fields.image(kFileFields, service.options.image_root));
  const Json facekit = to_json(service.engine.detect(image, request));
  std::vector<const Json*> faces;
  for (const Json& f : facekit["faces"]) faces.push_back(&f);
  const Json analysis = analysis_for(service, image, plugins, false);
  Json result = Json::array();
  for (const size_t i : kept_faces(fields, faces)) {
    Json r = {{"box", box_of(*faces[i])}};
    if (plugins.landmarks) r["landmarks"] = (*faces[i])["landmarks"];
    add_attributes(analysis, (*faces[i])["box"], plugins, r);
    result.push_back(std::move(r));
  }
  reply(x.response, {{"result", result}, {"facekit", facekit}});
}

}  // namespace

std::vector<Route> compreface_routes() {
  const Param gallery{"gallery", "query", "string", "the gallery (--db NAME=...), default the first"};
  const Param subject_path{"subject", "path", "string", "the subject's name (URL-encoded)"};
  const Param image_id{"image_id", "path", "string", "a face's image_id"};
  const Param file{"file", "body", "image", "the image: a multipart file, or base64 in a JSON body"};
  const Param limit{"limit", "query", "integer", "at most this many faces (0: all)"};
  const Param det_prob{"det_prob_threshold", "query", "number", "faces detected with a lower probability are left out"};
  const Param plugins{"face_plugins", "query", "string", "age, gender; calculator (recognize), landmarks (detection)"};
  const std::string r = kBase + "/recognition";
  return {
      {"POST", r + "/subjects", "CompreFace: add a subject", Access::kWrite, false,
       {{"subject", "body", "string", "the name"}, gallery}, add_subject},
      {"GET", r + "/subjects", "CompreFace: every subject", Access::kRead, false, {gallery}, list_subjects},
      {"PUT", r + "/subjects/{subject}", "CompreFace: rename a subject", Access::kWrite, false,
       {subject_path, {"subject", "body", "string", "the new name"}, gallery}, rename_subject},
      {"DELETE", r + "/subjects/{subject}", "CompreFace: remove a subject and their faces", Access::kWrite, false,
       {subject_path, gallery}, remove_subject},
      {"DELETE", r + "/subjects", "CompreFace: remove every subject", Access::kWrite, false, {gallery},
       remove_all_subjects},
      {"POST", r + "/faces", "CompreFace: store the face of an image nearest its centre for a subject", Access::kWrite, true,
       {{"subject", "query", "string", "the subject (created when new)"}, file, gallery}, add_face},
      {"GET", r + "/faces", "CompreFace: the stored faces, a page at a time", Access::kRead, false,
       {{"page", "query", "integer", "from 0"}, {"size", "query", "integer", "faces per page (default 20)"},
        {"subject", "query", "string", "only this subject's"}, gallery},
       list_faces},
      {"DELETE", r + "/faces", "CompreFace: remove every face of a subject", Access::kWrite, false,
       {{"subject", "query", "string", "the subject"}, gallery}, remove_faces},
      {"DELETE", r + "/faces/{image_id}", "CompreFace: remove one face", Access::kWrite, false, {image_id, gallery},
       remove_face},
      {"GET", r + "/faces/{image_id}/img", "CompreFace: the stored thumbnail of a face (JPEG)", Access::kRead, false,
       {image_id, gallery}, face_image},
      {"POST", r + "/recognize", "CompreFace: who each face of an image is", Access::kRead, true,
       {file, limit, det_prob, plugins, {"prediction_count", "query", "integer", "subjects per face (default 1)"},
        {"threshold", "query", "number", "facekit: decision threshold (default: the calibrated one)"},
        {"candidate_faces", "query", "boolean",
         "facekit: each candidate in facekit.faces[].candidates also gets image_id, its stored face nearest to this "
         "face (default false)"},
        gallery},
       recognize},
      {"POST", kBase + "/verification/verify", "CompreFace: is the face of target_image the one of source_image?",
       Access::kRead, true,
       {{"source_image", "body", "image", "the first image"}, {"target_image", "body", "image", "the second image"},
        {"threshold", "query", "number", "facekit: decision threshold"}},
       verify},
      {"POST", kBase + "/detection/detect", "CompreFace: every face's box", Access::kRead, true,
       {file, limit, det_prob, plugins}, detect},
  };
}

}  // namespace facekit::serve
