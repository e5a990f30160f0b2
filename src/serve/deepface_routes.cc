// deepface's REST routes (its api/src/modules/core/routes.py): the same
// paths, field names and answer shapes, each answer also carrying facekit's
// own JSON of the result under "facekit".
#include <chrono>
#include <cmath>
#include <cstring>
#include <tuple>

#include "facekit/deepface.h"
#include "serve/http_error.h"
#include "serve/service.h"

namespace facekit::serve {

namespace {

const std::vector<Param> kRecognitionParams = {
    {"model_name", "body", "string", "a facekit recognizer (default mobilefacenet)"},
    {"detector_backend", "body", "string", "a facekit detector, or skip (the image is one face)"},
    {"distance_metric", "body", "string", "cosine, euclidean or euclidean_l2 (default: the model's)"},
    {"enforce_detection", "body", "boolean", "false: the whole image stands in for a missing face (default true)"},
    {"align", "body", "boolean", "must be true (facekit always aligns)"},
    {"gallery", "body", "string", "the gallery (--db NAME=...), default the first"},
};

std::vector<Param> with_recognition(std::vector<Param> params) {
  params.insert(params.end(), kRecognitionParams.begin(), kRecognitionParams.end());
  return params;
}

const std::vector<std::string> kImageFields = {"img", "img_path"};

void represent(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  RepresentRequest request;
  request.recognition = recognition_request(fields);
  const NamedImage image = decode_upload(fields.image(kImageFields, service.options.image_root));
  const RepresentResult result = service.engine.represent(image, request);
  const Json facekit = to_json(result);
  if (result.faces.empty()) throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  reply(x.response, {{"results", deepface_represent(facekit)}, {"facekit", facekit}});
}

void verify(Service& service, Exchange& x) {
  const auto start = std::chrono::steady_clock::now();
  const RequestFields fields(x.request);
  VerifyRequest request;
  request.recognition = recognition_request(fields);
  request.threshold = fields.number("threshold");
  const NamedImage a = decode_upload(fields.image({"img1", "img1_path"}, service.options.image_root));
  const NamedImage b = decode_upload(fields.image({"img2", "img2_path"}, service.options.image_root));
  const Json facekit = to_json(service.engine.verify(a, b, request));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json answer = deepface_verify(facekit, seconds);
  answer["facekit"] = facekit;
  reply(x.response, answer);
}

void analyze(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  AnalyzeRequest request;
  if (auto actions = fields.text("actions", /*list=*/true)) {
    std::string cleaned;  // deepface also takes "['age', 'gender']" in a form field
    for (const char c : *actions)
      if (!std::strchr("[]()'\" ", c)) cleaned += c;
    request.actions = cleaned;
  }
  if (auto detector = fields.text("detector_backend")) apply_detector_backend(*detector, request.detector, request.no_detect);
  const bool enforce = fields.flag("enforce_detection", true);
  fields.flag("align", true);  // validated; analysis crops are the detector's boxes
  const NamedImage image = decode_upload(fields.image(kImageFields, service.options.image_root));
  const Json facekit = to_json(service.engine.analyze(image, request));
  if (enforce && facekit["faces"].empty()) throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  reply(x.response, {{"results", deepface_analyze(facekit)}, {"facekit", facekit}});
}

void detect(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  DetectRequest request;
  if (auto detector = fields.text("detector_backend")) request.detector = *detector;
  if (auto threshold = fields.number("threshold")) request.score_threshold = static_cast<float>(*threshold);
  request.max_faces = fields.integer("max_faces", 0, 0, 100000);
  const NamedImage image = decode_upload(fields.image(kImageFields, service.options.image_root));
  const Json facekit = to_json(service.engine.detect(image, request));
  reply(x.response, {{"results", deepface_detect(facekit)}, {"facekit", facekit}});
}

void register_face(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  const std::optional<std::string> identity = fields.text("img_name") ? fields.text("img_name") : fields.text("identity");
  if (!identity) throw HttpError(400, "img_name: the identity to register the face as is missing");
  GalleryService& gallery = service.gallery(fields, x.key);
  RecognitionRequest recognition = recognition_request(fields);
  const NamedImage image = decode_upload(fields.image(kImageFields, service.options.image_root));
  const StoredFace stored = gallery.add_face(*identity, image, recognition);
  Json j = {{"inserted", 1}};
  put_name(j, "identity", stored.subject);
  j["image_id"] = std::to_string(stored.image_id);
  j["model"] = stored.model;
  j["gallery"] = gallery.name();
  reply(x.response, j);
}

void search(Service& service, Exchange& x) {
  const RequestFields fields(x.request);
  GalleryService& gallery = service.gallery(fields, x.key);
  FindRequest request;
  request.db = gallery.search_location();
  request.recognition = recognition_request(fields);
  request.threshold = fields.number("threshold");
  request.k = fields.integer("k", 5, 1, 1000);
  const std::string model = service.engine.gallery_model_of(request.recognition);
  if (gallery.vector_count(model) == 0)
    throw HttpError(400, "gallery " + gallery.name() + " holds no faces of model " + model +
                             ": register some first (POST /register)");
  const NamedImage image = decode_upload(fields.image(kImageFields, service.options.image_root));
  const Json facekit = to_json(service.engine.find(image, request));
  if (facekit["faces"].empty() && request.recognition.if_no_face == "refuse")
    throw HttpError(400, image.name + ": no face found", kNoFaceCode);
  Json results = Json::array();
  for (const Json& face : facekit["faces"]) {
    Json matches = Json::array();  // as deepface: the identities within the threshold, nearest first
    for (const Json& c : face["candidates"])
      if (!c["distance"].is_null() && c["distance"].get<double>() <= facekit["threshold"].get<double>())
        matches.push_back({{"identity", c["identity"]}, {"distance", c["distance"]}, {"threshold", facekit["threshold"]},
                           {"facial_area", deepface_facial_area(face["face"])}});
    results.push_back(matches);
  }
  reply(x.response, {{"results", results}, {"facekit", facekit}});
}

}  // namespace

std::vector<Route> deepface_routes() {
  const Param img{"img", "body", "image", "the image: a multipart file, a data URI or base64 (img_path too)"};
  return {
      {"POST", "/represent", "deepface: the embedding of every face", Access::kRead, true, with_recognition({img}),
       represent},
      {"POST", "/verify", "deepface: are the faces of img1 and img2 the same person?", Access::kRead, true,
       with_recognition({{"img1", "body", "image", "the first image"},
                         {"img2", "body", "image", "the second image"},
                         {"threshold", "body", "number", "decision threshold (default: the calibrated one)"}}),
       verify},
      {"POST", "/analyze", "deepface: age, gender, emotion, race and liveness of every face", Access::kRead, true,
       {img,
        {"actions", "body", "array", "of age, gender, emotion, race, spoof (a list or a comma-separated string)"},
        {"detector_backend", "body", "string", "a facekit detector (default ssd), or skip"},
        {"enforce_detection", "body", "boolean", "false: no face is an empty answer, not an error"},
        {"align", "body", "boolean", "accepted for deepface's clients"}},
       analyze},
      {"POST", "/detect", "every face: box, confidence, landmarks, quality", Access::kRead, true,
       {img,
        {"detector_backend", "body", "string", "a facekit detector (default mtcnn)"},
        {"threshold", "body", "number", "detector score threshold in [0, 1]"},
        {"max_faces", "body", "integer", "keep the best N (0: all)"}},
       detect},
      {"POST", "/register", "deepface: store the face of img nearest its centre as img_name in the gallery", Access::kWrite, true,
       with_recognition({img, {"img_name", "body", "string", "the identity (identity too)"}}), register_face},
      {"POST", "/search", "deepface: who each face of img is, among the gallery's identities", Access::kRead, true,
       with_recognition({img,
                         {"threshold", "body", "number", "decision threshold (default: the calibrated one)"},
                         {"k", "body", "integer", "candidates per face (default 5)"}}),
       search},
  };
}

}  // namespace facekit::serve
