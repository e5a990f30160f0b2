// facekit.Error and facekit.NoFaceError: the library's facekit::Error and
// NoFaceError as Python exceptions, their messages in the module's own terms
// (keyword arguments where the library names command-line flags).
#include "bindings.h"
#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/option_names.h"
#include "facekit/text.h"

namespace facekit::python {

void bind_errors(py::module_& module) {
  // A ValueError, as deepface raises for a faceless or unreadable image, so
  // that `except ValueError` written for deepface catches it too. Never
  // destroyed: the module lives as long as the interpreter.
  static auto* error = new py::exception<Error>(module, "Error", PyExc_ValueError);
  error->doc() = "An image, a model, a gallery or an option facekit cannot use; the message names it and why.";
  // A facekit.Error too, so that `except facekit.Error` still catches it.
  static auto* no_face = new py::exception<NoFaceError>(module, "NoFaceError", error->ptr());
  no_face->doc() = "No face was found in an image (with enforce_detection=True); the message names the image.";
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const NoFaceError& e) {
      PyErr_SetString(no_face->ptr(), to_utf8_lossy(in_terms_of(e.what(), FrontEnd::kPython)).c_str());
    } catch (const Error& e) {
      // A message naming a file whose name is not UTF-8 must still be a str.
      PyErr_SetString(error->ptr(), to_utf8_lossy(in_terms_of(e.what(), FrontEnd::kPython)).c_str());
    }
  });
}

}  // namespace facekit::python
