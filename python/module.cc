// The Python module `facekit`: facekit::Engine's verbs as functions (one
// engine shared by the process) and as methods of facekit.Engine, with
// deepface's argument names and result shapes (facekit/deepface.h).
#include <chrono>
#include <type_traits>

#include <pybind11/stl.h>

#include "bindings.h"
#include "facekit/deepface.h"
#include "facekit/error.h"
#include "facekit/version.h"

namespace facekit::python {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Every verb's common part: `compute()` (decoding and running; it touches
// no Python object) with the GIL released; with `refuse_no_face`, a result
// without faces raises NoFaceError naming its image (deepface's
// enforce_detection; verify's result has no `faces`: it refuses on its own);
// then the result's JSON as Python objects, in deepface's shape through
// `to_deepface(json)` or `to_deepface(json, seconds compute took)`, or
// facekit's own. Throws py::value_error for a shape neither "deepface" nor
// "facekit", whatever compute() throws.
template <class Compute, class ToDeepface>
py::object answer(const std::string& shape, bool refuse_no_face, const Compute& compute,
                  const ToDeepface& to_deepface) {
  const bool deepface = deepface_shape(shape);
  Json json;
  double seconds = 0;
  {
    const py::gil_scoped_release unlocked;
    const auto start = Clock::now();
    const auto result = compute();
    if constexpr (requires { result.faces; })
      if (refuse_no_face) require_face(!result.faces.empty(), result.image);
    json = to_json(result);
    seconds = seconds_since(start);
  }
  if (!deepface) return to_python(json);
  if constexpr (std::is_invocable_v<ToDeepface, const Json&, double>) return to_python(to_deepface(json, seconds));
  else return to_python(to_deepface(json));
}

py::object verify(Engine& engine, const py::object& img1, const py::object& img2, const std::string& model_name,
                  const std::string& detector_backend, const std::optional<std::string>& distance_metric,
                  bool enforce_detection, const std::optional<double>& threshold, const std::string& landmarker,
                  const std::optional<std::string>& alignment, bool flip, const std::string& shape) {
  VerifyRequest request;
  request.recognition = recognition_request({.model_name = model_name, .detector_backend = detector_backend,
                                             .distance_metric = distance_metric, .enforce_detection = enforce_detection,
                                             .landmarker = landmarker, .alignment = alignment, .flip = flip});
  request.threshold = threshold;
  const ImageInput a = image_input(img1, "img1_path"), b = image_input(img2, "img2_path");
  return answer(shape, false, [&] { return engine.verify(load(a), load(b), request); }, deepface_verify);
}

py::object represent(Engine& engine, const py::object& img, const std::string& model_name,
                     const std::string& detector_backend, bool enforce_detection, const std::string& landmarker,
                     const std::optional<std::string>& alignment, bool flip, const std::string& shape) {
  const RepresentRequest request{
      .recognition = recognition_request({.model_name = model_name, .detector_backend = detector_backend,
                                          .distance_metric = std::nullopt, .enforce_detection = enforce_detection,
                                          .landmarker = landmarker, .alignment = alignment, .flip = flip})};
  const ImageInput input = image_input(img, "img_path");
  return answer(shape, true, [&] { return engine.represent(load(input), request); }, deepface_represent);
}

// deepface's actions: a sequence of names (or facekit's comma-separated text).
std::string actions_text(const py::handle& actions) {
  if (py::isinstance<py::str>(actions)) return actions.cast<std::string>();
  std::string text;
  for (const py::handle& action : py::iter(actions)) {
    if (!py::isinstance<py::str>(action)) throw py::type_error("actions: each action is a str, e.g. \"age\"");
    text += (text.empty() ? "" : ",") + action.cast<std::string>();
  }
  if (text.empty()) throw py::value_error("actions: at least one of age, gender, emotion, race, spoof");
  return text;
}

py::object analyze(Engine& engine, const py::object& img, const py::object& actions,
                   const std::string& detector_backend, bool enforce_detection, bool anti_spoofing,
                   const std::string& shape) {
  AnalyzeRequest request;
  request.actions = actions_text(actions) + (anti_spoofing ? ",spoof" : "");
  apply_detector_backend(detector_backend, request.detector, request.no_detect);
  const ImageInput input = image_input(img, "img_path");
  return answer(shape, enforce_detection, [&] { return engine.analyze(load(input), request); }, deepface_analyze);
}

py::object detect(Engine& engine, const py::object& img, const std::string& detector_backend, bool enforce_detection,
                  float min_face, const std::optional<float>& threshold, int max_faces, const std::string& shape) {
  DetectRequest request;
  bool no_detect = false;
  apply_detector_backend(detector_backend, request.detector, no_detect);
  if (no_detect) throw py::value_error("detector_backend: 'skip' detects nothing; name a detector");
  request.min_face = min_face;
  request.score_threshold = threshold.value_or(-1);
  request.max_faces = max_faces;
  const ImageInput input = image_input(img, "img_path");
  return answer(shape, enforce_detection, [&] { return engine.detect(load(input), request); }, deepface_detect);
}

py::object find(Engine& engine, const py::object& img, const py::object& db_path, const std::string& model_name,
                const std::string& detector_backend, const std::optional<std::string>& distance_metric,
                bool enforce_detection, const std::optional<double>& threshold, int k, const std::string& aggregation,
                const std::string& landmarker, const std::optional<std::string>& alignment, bool flip,
                const std::string& shape) {
  FindRequest request;
  request.db = path_argument(db_path, "db_path");
  request.recognition = recognition_request({.model_name = model_name, .detector_backend = detector_backend,
                                             .distance_metric = distance_metric, .enforce_detection = enforce_detection,
                                             .landmarker = landmarker, .alignment = alignment, .flip = flip});
  request.threshold = threshold;
  request.k = k;
  request.aggregation = aggregation;
  return find_as(engine, image_input(img, "img_path"), request, shape);
}

// Binds `f` as a method of facekit.Engine and, on the shared engine, as a
// function of the module, with the same arguments and documentation.
template <class... Args, class... Extra>
void def_verb(py::module_& module, py::class_<Engine, std::shared_ptr<Engine>>& engine, const char* name,
              py::object (*f)(Engine&, Args...), const char* doc, const Extra&... extra) {
  engine.def(name, f, doc, extra...);
  module.def(name, [f](Args... args) { return f(*shared_engine(), std::forward<Args>(args)...); }, doc, extra...);
}

}  // namespace

bool deepface_shape(const std::string& shape) {
  if (shape != "deepface" && shape != "facekit")
    throw py::value_error("shape: '" + shape + "' is neither \"deepface\" nor \"facekit\"");
  return shape == "deepface";
}

RecognitionRequest recognition_request(const RecognitionArguments& a) {
  RecognitionRequest r;
  r.model = a.model_name;
  apply_detector_backend(a.detector_backend, r.detector, r.no_detect);
  r.metric = a.distance_metric.value_or("");
  r.if_no_face = a.enforce_detection ? "refuse" : "whole-image";
  r.landmarker = a.landmarker;
  r.alignment = a.alignment.value_or("");
  r.flip = a.flip;
  return r;
}

py::object find_as(Engine& engine, const ImageInput& input, const FindRequest& request, const std::string& shape) {
  return answer(shape, request.recognition.if_no_face == "refuse", [&] { return engine.find(load(input), request); },
                deepface_find);
}

std::shared_ptr<Engine> shared_engine() {
  static const auto engine = std::make_shared<Engine>();  // made once, even by threads at once
  return engine;
}

void bind_engine(py::module_& m) {
  py::class_<Engine, std::shared_ptr<Engine>> engine(m, "Engine", R"(An engine of its own: models loaded once, lazily, and shared by
every thread that calls it. The module's functions share one such engine;
make another for other thread counts.

    engine = facekit.Engine(threads=1)
    engine.verify("a.jpg", "b.jpg"))");
  engine.def(py::init([](int threads) { return std::make_shared<Engine>(EngineOptions{threads}); }),
             py::kw_only(), py::arg("threads") = 0, "threads: of each model call (0: all cores).");

  const auto image = [](const char* name) { return py::arg(name); };
  const auto model = py::arg("model_name") = std::string(kDefaultRecognizer);
  const auto detector = py::arg("detector_backend") = std::string(kDefaultDetector);
  const auto metric = py::arg("distance_metric") = std::optional<std::string>();
  const auto enforce = py::arg("enforce_detection") = true;
  const auto landmarker = py::arg("landmarker") = std::string("faceapi-68");
  const auto alignment = py::arg("alignment") = std::optional<std::string>();
  const auto flip = py::arg("flip") = false;
  const auto shape = py::arg("shape") = std::string("deepface");

  def_verb(m, engine, "verify", &verify, R"(Are the faces of two images the same person?

Images: a path, the bytes of an image file, a data URI, or a numpy uint8
array in BGR order (as cv2.imread gives; H×W grey and H×W×4 BGRA too).
Returns deepface's dict: verified, distance, threshold, model,
detector_backend, similarity_metric, facial_areas {img1, img2}, time, and
facekit's confidence, probability_same, threshold_source, face_found.
shape="facekit": `facekit verify --json`'s object instead. Raises
facekit.NoFaceError naming the image without a face (with
enforce_detection), facekit.Error (a ValueError) naming the model, detector
or option that is wrong.)",
           image("img1_path"), image("img2_path"), model, detector, metric, enforce,
           py::arg("threshold") = std::optional<double>(), py::kw_only(), landmarker, alignment, flip, shape);
  def_verb(m, engine, "represent", &represent, R"(The embedding of every face of an image.

Returns deepface's list: [{embedding, facial_area, face_confidence,
face_found}]. shape="facekit": `facekit represent`'s object. Raises
facekit.NoFaceError when no face is found and enforce_detection is True.)",
           image("img_path"), model, detector, enforce, py::kw_only(), landmarker, alignment, flip, shape);
  def_verb(m, engine, "analyze", &analyze, R"(Age, gender, emotion and race (and, with anti_spoofing, liveness) of every face.

Returns deepface's list: [{region, face_confidence, age, dominant_gender,
gender, dominant_emotion, emotion, dominant_race, race, ...}], percentages
in [0, 100]. detector_backend defaults to "ssd" (the crops face-api's heads
were trained on). shape="facekit": `facekit analyze`'s object.)",
           image("img_path"), py::arg("actions") = py::make_tuple("emotion", "age", "gender", "race"),
           py::arg("detector_backend") = std::string("ssd"), enforce, py::arg("anti_spoofing") = false, py::kw_only(),
           shape);
  def_verb(m, engine, "detect", &detect, R"(Every face of an image, best score first.

Returns deepface's extract_faces list without the pixels: [{facial_area,
confidence, landmarks, quality}]. shape="facekit": `facekit detect`'s object.)",
           image("img_path"), detector, enforce, py::kw_only(), py::arg("min_face") = 20.0f,
           py::arg("threshold") = std::optional<float>(), py::arg("max_faces") = 0, shape);
  def_verb(m, engine, "find", &find, R"(Who each face of an image is, against a gallery.

db_path: a gallery file (SQLite, made by facekit.Gallery or `facekit
enroll`), a postgresql:// URI, or a people folder (people/NAME/*.jpg or
people/NAME.jpg, enrolled in memory on first use). Returns deepface's
shape: one list per face of the candidates within the threshold, nearest
first ([] = unknown). shape="facekit": `facekit find`'s object.)",
           image("img_path"), py::arg("db_path"), model, detector, metric, enforce,
           py::arg("threshold") = std::optional<double>(), py::kw_only(), py::arg("k") = 5,
           py::arg("aggregation") = std::string("best"), landmarker, alignment, flip, shape);
}

}  // namespace facekit::python

PYBIND11_MODULE(facekit, m) {
  using namespace facekit::python;
  m.doc() = R"(facekit: face detection, recognition and analysis, with deepface's
function names, arguments and result shapes. Every function releases the
GIL while it works and may be called from many threads at once.)";
  m.attr("__version__") = FACEKIT_VERSION;
  bind_errors(m);
  bind_engine(m);
  bind_gallery(m);
}
