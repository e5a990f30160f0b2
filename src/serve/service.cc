#include "serve/service.h"

#include "facekit/deepface.h"

#include "serve/http_error.h"

namespace facekit::serve {

GalleryService& Service::gallery(const RequestFields& fields, const ApiKey* key) {
  if (galleries.empty()) throw HttpError(404, "no gallery: start the service with --db");
  const std::optional<std::string> name = fields.text("gallery");
  GalleryService* chosen = galleries.front().get();
  if (name) {
    chosen = nullptr;
    for (const auto& g : galleries)
      if (g->name() == *name) chosen = g.get();
    if (!chosen) throw HttpError(404, "no such gallery: " + *name);
  }
  if (key && !key->gallery.empty() && key->gallery != chosen->name())
    throw HttpError(403, "this API key is limited to gallery " + key->gallery);
  return *chosen;
}

void reply(httplib::Response& response, const Json& json, int status) {
  response.status = status;
  response.set_content(dump(json), "application/json");
}

std::string path_param(const httplib::Request& request, size_t index) {
  if (index >= request.matches.size()) throw HttpError(404, "missing path parameter");
  return request.matches[index].str();
}

RecognitionRequest recognition_request(const RequestFields& fields) {
  RecognitionRequest r;
  if (auto model = fields.text("model_name")) r.model = *model;
  if (auto detector = fields.text("detector_backend")) apply_detector_backend(*detector, r.detector, r.no_detect);
  if (auto metric = fields.text("distance_metric")) r.metric = *metric;
  r.if_no_face = fields.flag("enforce_detection", true) ? "refuse" : "whole-image";
  if (!fields.flag("align", true))
    throw HttpError(400, "align: facekit always aligns faces (its recognizers are trained on aligned crops); send true");
  return r;
}

}  // namespace facekit::serve
