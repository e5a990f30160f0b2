// facekit.Error: the library's facekit::Error as a Python exception, its
// message in the module's own terms.
#include <regex>

#include "bindings.h"
#include "facekit/error.h"
#include "facekit/text.h"

namespace facekit::python {

namespace {

// The library names the command line's flags in its advice on what to do
// next; a Python caller passes keyword arguments instead. (Only advice is
// translated: a `facekit ...` command quoted in a message stays as it is.)
std::string in_python_terms(std::string message) {
  static const std::pair<std::regex, const char*> kFlags[] = {
      {std::regex("--if-no-face whole-image"), "enforce_detection=False"},
      {std::regex("--if-no-face refuse"), "enforce_detection=True"},
      {std::regex("pass --threshold\\b"), "pass threshold="},
      {std::regex("face_found: false"), "face_found: False"},
  };
  for (const auto& [flag, keyword] : kFlags) message = std::regex_replace(message, flag, keyword);
  return message;
}

}  // namespace

void bind_errors(py::module_& module) {
  // A ValueError, as deepface raises for a faceless or unreadable image, so
  // that `except ValueError` written for deepface catches it too. Never
  // destroyed: the module lives as long as the interpreter.
  static auto* error = new py::exception<Error>(module, "Error", PyExc_ValueError);
  error->doc() = "An image, a model, a gallery or an option facekit cannot use; the message names it and why.";
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const Error& e) {
      // A message naming a file whose name is not UTF-8 must still be a str.
      PyErr_SetString(error->ptr(), to_utf8_lossy(in_python_terms(e.what())).c_str());
    }
  });
}

}  // namespace facekit::python
