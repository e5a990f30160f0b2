// Image arguments: paths, encoded files in memory, data URIs, numpy arrays.
#include <opencv2/imgproc.hpp>
#include <pybind11/numpy.h>

#include "bindings.h"
#include "facekit/image.h"

namespace facekit::python {

namespace {

constexpr const char* kDataUriPrefix = "data:image/";

std::vector<uint8_t> bytes_of(const py::handle& object) {
  const py::bytes bytes = py::module_::import("builtins").attr("bytes")(object);
  const std::string_view view = bytes;
  return {view.begin(), view.end()};
}

// The payload of a data URI "data:image/<type>;base64,<payload>".
std::vector<uint8_t> data_uri_bytes(const std::string& uri, const std::string& argument) {
  const size_t comma = uri.find(',');
  if (comma == std::string::npos || uri.rfind(";base64", comma) == std::string::npos)
    throw py::value_error(argument + ": a data URI must read data:image/<type>;base64,<data>");
  try {
    const py::object decoded =
        py::module_::import("base64").attr("b64decode")(py::bytes(uri.substr(comma + 1)), py::arg("validate") = true);
    return bytes_of(decoded);
  } catch (py::error_already_set& e) {
    throw py::value_error(argument + ": the data URI's base64 is not valid (" + std::string(py::str(e.value())) + ")");
  }
}

// A uint8 array in OpenCV's channel order as 8-bit RGB (a copy).
cv::Mat array_rgb(const py::array& array, const std::string& argument) {
  if (!array.dtype().is(py::dtype::of<uint8_t>()))
    throw py::type_error(argument + ": a numpy array of uint8 is needed (BGR, as cv2.imread gives), not " +
                         std::string(py::str(array.dtype())));
  const auto contiguous = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(array);
  const int dims = static_cast<int>(contiguous.ndim());
  const int channels = dims == 2 ? 1 : dims == 3 ? static_cast<int>(contiguous.shape(2)) : 0;
  if (!(dims == 2 || dims == 3) || !(channels == 1 || channels == 3 || channels == 4))
    throw py::value_error(argument + ": the array's shape must be H×W (grey), H×W×3 (BGR) or H×W×4 (BGRA), not " +
                          std::string(py::str(array.attr("shape"))));
  if (contiguous.shape(0) == 0 || contiguous.shape(1) == 0) throw py::value_error(argument + ": the array is empty");
  const cv::Mat pixels(static_cast<int>(contiguous.shape(0)), static_cast<int>(contiguous.shape(1)),
                       CV_8UC(channels), const_cast<uint8_t*>(contiguous.data()));
  cv::Mat rgb;
  const int conversion = channels == 1 ? cv::COLOR_GRAY2RGB : channels == 3 ? cv::COLOR_BGR2RGB : cv::COLOR_BGRA2RGB;
  cv::cvtColor(pixels, rgb, conversion);
  return rgb;
}

}  // namespace

std::string path_argument(const py::handle& path, const std::string& argument) {
  if (!py::isinstance<py::str>(path) && !py::hasattr(path, "__fspath__"))
    throw py::type_error(argument + ": a path (str or os.PathLike) is needed, not " +
                         std::string(py::str(path.get_type().attr("__name__"))));
  return py::module_::import("os").attr("fsencode")(path).cast<std::string>();
}

ImageInput image_input(const py::handle& image, const std::string& argument) {
  ImageInput input;
  input.name = "<" + argument + ">";
  // Asked of the str itself: a path from os.fsdecode may hold surrogates, which have no UTF-8.
  if (py::isinstance<py::str>(image) && image.attr("startswith")(kDataUriPrefix).cast<bool>()) {
    input.bytes = data_uri_bytes(image.cast<std::string>(), argument);
  } else if (py::isinstance<py::str>(image) || py::hasattr(image, "__fspath__")) {
    input.path = path_argument(image, argument);
    input.name = *input.path;
  } else if (py::isinstance<py::bytes>(image) || py::isinstance<py::bytearray>(image) ||
             py::isinstance<py::memoryview>(image)) {
    input.bytes = bytes_of(image);
  } else if (py::isinstance<py::array>(image)) {
    input.rgb = array_rgb(py::reinterpret_borrow<py::array>(image), argument);
  } else {
    throw py::type_error(argument + ": an image is a path, the bytes of an image file, a data URI or a numpy "
                         "uint8 array (BGR), not " + std::string(py::str(image.get_type().attr("__name__"))));
  }
  return input;
}

NamedImage load(const ImageInput& input) {
  if (input.path) return read_named_image(*input.path);
  if (!input.rgb.empty()) return {input.name, input.rgb};
  return {input.name, decode_image(input.name, input.bytes)};
}

py::str to_str(const std::string& text) {
  return py::reinterpret_steal<py::str>(
      PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape"));
}

std::string from_str(const py::str& text) {
  const py::bytes encoded = py::reinterpret_steal<py::bytes>(PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogateescape"));
  if (!encoded) throw py::error_already_set();
  return encoded;
}

}  // namespace facekit::python
