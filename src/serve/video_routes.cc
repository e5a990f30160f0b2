// POST /api/v1/video/watch: `facekit watch` on an uploaded clip, against a
// gallery of the service. The options are the verb's, spelt as request
// fields (detect_every for --detect-every, ...); the answer is the verb's
// JSON Lines gathered into one JSON object.
#include "facekit/video_clip.h"
#include "serve/http_error.h"
#include "serve/service.h"

namespace facekit::serve {

namespace {

// The clip a request carries: the body itself (application/octet-stream or
// video/*), or the field `file` as the image routes take an image.
ImageUpload clip_of(const RequestFields& fields, const Exchange& x, const std::string& image_root) {
  if (auto raw = fields.raw_body()) {
    if (raw->bytes.empty()) throw HttpError(400, "request body: is empty (it should be the clip)");
    return std::move(*raw);
  }
  if (!x.request.has_file("file") && !fields.text("file"))
    throw HttpError(400,
                    "no clip: send it as file (a multipart file, or base64 in a JSON body), or as the body itself "
                    "(Content-Type video/mp4, video/x-msvideo, video/webm or application/octet-stream)");
  return fields.image({"file"}, image_root);
}

void watch(Service& service, Exchange& x) {
  const RequestFields fields(x.request, /*takes_raw_body=*/true);
  GalleryService& gallery = service.gallery(fields, x.key);
  WatchRequest request;
  request.recognition = recognition_request(fields);
  if (!fields.text("detector_backend")) request.recognition.detector = kWatchDetector;
  request.db = gallery.search_location();
  request.threshold = fields.number("threshold");
  request.far = fields.number("far");
  request.detect_every = fields.integer("detect_every", request.detect_every, 1, 1000);
  request.tracker.max_age = fields.integer("max_age", request.tracker.max_age, 0, 100000);
  request.tracker.min_iou = fields.number("min_iou").value_or(request.tracker.min_iou);
  request.tracker.decide_confidence = fields.number("decide_confidence").value_or(request.tracker.decide_confidence);
  request.actions = fields.text("actions", /*list=*/true).value_or("");
  WatchRequest options_only = request;
  options_only.db.clear();
  service.engine.prepare(options_only);  // bad options are one error before the gallery or the clip is read
  const std::string model = service.engine.gallery_model_of(request.recognition);
  if (gallery.vector_count(model) == 0)
    throw HttpError(400, "gallery " + gallery.name() + " holds no faces of model " + model +
                             ": add some first (POST /api/v1/recognition/faces?subject=NAME)");

  const ImageUpload upload = clip_of(fields, x, service.options.image_root);
  const std::unique_ptr<VideoSource> source = clip_video(upload.name, upload.bytes, service.options.clip_limits);
  Json events = Json::array();
  WatchListener listener;
  listener.event = [&events](const TrackEvent& e) { events.push_back(to_json(e)); };
  const WatchSummary summary = service.engine.watch(*source, request, listener);
  reply(x.response, {{"events", events}, {"summary", to_json(summary)}});
}

}  // namespace

std::vector<Route> video_routes() {
  return {
      {"POST", "/api/v1/video/watch",
       "facekit: follow and identify the faces of an uploaded clip (AVI, MP4/QuickTime, Matroska/WebM) as `facekit "
       "watch` does; answers {events: [the verb's event objects: started, identified, changed, ended], summary}",
       Access::kRead, true,
       {{"file", "body", "video",
         "the clip: a multipart file, base64 in a JSON body, or the whole body as application/octet-stream or video/*; "
         "at most --max-body bytes, --clip-max-frames frames, --clip-max-seconds seconds, --clip-max-pixels pixels a "
         "frame"},
        {"detect_every", "query", "integer", "detect, embed and identify every k-th frame, in [1, 1000] (default 3)"},
        {"max_age", "query", "integer", "frames a track survives without a detection (default 15)"},
        {"min_iou", "query", "number", "box overlap that alone links a detection to a track (default 0.2)"},
        {"decide_confidence", "query", "number", "track confidence at which its leading identity is taken (default 0.5)"},
        {"actions", "query", "string", "also analyse: comma-separated age, gender, emotion, race, spoof (default none)"},
        {"threshold", "query", "number", "same person at or below this distance (default: the calibrated one)"},
        {"far", "query", "number", "or: the threshold of this false accept rate on the model's card"},
        {"model_name", "query", "string", "a facekit recognizer (default mobilefacenet; not a fusion)"},
        {"detector_backend", "query", "string", "a facekit detector (default mtcnn)"},
        {"distance_metric", "query", "string", "cosine, euclidean or euclidean_l2 (default: the model's)"},
        {"gallery", "query", "string", "the gallery (--db NAME=...), default the first"}},
       watch},
  };
}

}  // namespace facekit::serve
