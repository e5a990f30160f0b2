// What the pieces of the Python module `facekit` (python/*.cc) share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include "facekit/engine.h"
#include "facekit/json.h"

namespace facekit::python {

namespace py = pybind11;

// An image argument as the caller gave it, taken apart while the GIL is held
// so that it can be read and decoded after the GIL is released.
struct ImageInput {
  std::string name;                 // the path, or "<argument>" for an image in memory
  std::optional<std::string> path;  // a file to read
  std::vector<uint8_t> bytes;       // an encoded file in memory (bytes, a data URI)
  cv::Mat rgb;                      // pixels already (a numpy array), 8-bit RGB
};

// Accepts a path (str or os.PathLike), an encoded image file (bytes,
// bytearray, memoryview), a "data:image/...;base64,..." URI (str), or a
// numpy uint8 array in deepface's (OpenCV's) channel order: H×W×3 BGR,
// H×W×4 BGRA (alpha dropped) or H×W grey. `argument` names it in errors.
// Throws py::type_error for another type or dtype, py::value_error for a bad
// shape or bad base64. Needs the GIL.
ImageInput image_input(const py::handle& image, const std::string& argument);

// Reads and decodes the image (for a path or bytes): no GIL needed. Throws
// facekit::Error naming the image.
NamedImage load(const ImageInput& input);

// A file-system path from str or os.PathLike (os.fsencode's bytes). Throws
// py::type_error naming `argument` for anything else.
std::string path_argument(const py::handle& path, const std::string& argument);

// `text` (bytes, maybe not UTF-8) as str, undecodable bytes as surrogates
// (os.fsdecode's way), and back.
py::str to_str(const std::string& text);
std::string from_str(const py::str& text);

// The JSON value as Python objects: dict (keys in order), list, str, int,
// float, bool, None.
py::object to_python(const Json& json);

// The engine the module-level functions share, made on first use (all cores).
std::shared_ptr<Engine> shared_engine();

// The recognition options every recognition call takes, deepface's names.
struct RecognitionArguments {
  std::string model_name = kDefaultRecognizer;
  std::string detector_backend = kDefaultDetector;
  std::optional<std::string> distance_metric;
  bool enforce_detection = true;
  std::string landmarker = "faceapi-68";
  std::optional<std::string> alignment;
  bool flip = false;
};
RecognitionRequest recognition_request(const RecognitionArguments& arguments);

// "deepface" or "facekit": which shape a call returns. Throws
// py::value_error for anything else.
bool deepface_shape(const std::string& shape);

// engine.find(image, request) as the chosen shape; shared by facekit.find
// and Gallery.find. Releases the GIL while it works.
py::object find_as(Engine& engine, const ImageInput& image, const FindRequest& request, const std::string& shape);

void bind_errors(py::module_& module);
void bind_engine(py::module_& module);
void bind_gallery(py::module_& module);

}  // namespace facekit::python
