// facekit.Gallery: the people a program knows, in one gallery (a SQLite file
// or a PostgreSQL database), enrolled by folder or one image at a time.
#include <filesystem>

#include <pybind11/stl.h>

#include "bindings.h"
#include "facekit/error.h"
#include "facekit/gallery.h"

namespace facekit::python {

namespace {

namespace fs = std::filesystem;

struct PyGallery {
  std::shared_ptr<Engine> engine;
  std::string db;
  RecognitionRequest recognition;
  std::optional<double> threshold;
};

void add_counts(EnrollResult& total, const EnrollResult& one) {
  total.added += one.added;
  total.replaced += one.replaced;
  total.unchanged += one.unchanged;
  total.duplicates += one.duplicates;
  total.people = one.people;
  total.vectors = one.vectors;
  total.db = one.db;
  total.model = one.model;
}

// Every image directly inside `folder` under `identity`: an unreadable or
// faceless one is noted and counted, the rest go on (as `facekit enroll`).
EnrollResult enroll_folder_as(PyGallery& g, const std::string& folder, const std::string& identity,
                              std::vector<std::string>& notes) {
  const auto note = [&](const std::string& line) { notes.push_back(line + " (skipped)"); };
  EnrollResult total;
  for (const std::string& file : list_image_files(folder, note)) {
    NamedImage image;
    try {
      image = read_named_image(file);
    } catch (const Error& e) {
      note(e.what());
      ++total.unreadable;
      continue;
    }
    try {
      EnrollImageRequest request;
      request.identity = identity;
      request.db = g.db;
      request.file = file;
      request.recognition = g.recognition;
      add_counts(total, g.engine->enroll_image(image, request));
    } catch (const NoFaceError& e) {  // the photo's; the gallery's own errors go to the caller
      note(e.what());
      ++total.faceless;
    }
  }
  return total;
}

py::object enroll(PyGallery& g, const py::object& image, const std::optional<py::str>& name) {
  std::vector<std::string> notes;
  EnrollResult result;
  std::optional<std::string> folder;
  if (py::isinstance<py::str>(image) || py::hasattr(image, "__fspath__")) {
    const std::string path = path_argument(image, "image");
    std::error_code ec;
    if (fs::is_directory(path, ec)) folder = path;
  }
  if (!name) {
    if (!folder)
      throw py::value_error("enroll: without a name, the image must be a people folder (people/NAME/*.jpg or "
                            "people/NAME.jpg); pass name= to enroll one image");
    const EnrollRequest request{.folder = *folder, .db = g.db, .recognition = g.recognition};
    const py::gil_scoped_release unlocked;
    result = g.engine->enroll(request, {.note = [&](const std::string& line) { notes.push_back(line); }, .progress = {}});
  } else if (folder) {
    const std::string identity = from_str(*name);
    const py::gil_scoped_release unlocked;
    result = enroll_folder_as(g, *folder, identity, notes);
  } else {
    const ImageInput input = image_input(image, "image");
    const EnrollImageRequest request{
        .identity = from_str(*name), .db = g.db, .file = input.path.value_or(""), .recognition = g.recognition};
    const py::gil_scoped_release unlocked;
    result = g.engine->enroll_image(load(input), request);
  }
  py::dict out = to_python(to_json(result));
  py::list lines;
  for (const std::string& line : notes) lines.append(to_str(line));
  out["notes"] = lines;
  return out;
}

py::list people(const PyGallery& g) {
  std::vector<std::string> names;
  {
    const py::gil_scoped_release unlocked;
    std::error_code ec;
    if (is_postgres_location(g.db) || fs::exists(g.db, ec)) names = Gallery(g.db, GalleryAccess::kReadOnly).people();
  }
  py::list list;
  for (const std::string& name : names) list.append(to_str(name));
  return list;
}

}  // namespace

void bind_gallery(py::module_& m) {
  py::class_<PyGallery>(m, "Gallery", R"(A gallery of people: a SQLite file (created on the first enrollment) or
a postgresql:// URI, searched with the recognition options given here.

    people = facekit.Gallery("people.db")
    people.enroll("photos/")                  # photos/NAME/*.jpg or photos/NAME.jpg
    people.enroll("ann.jpg", name="Ann")      # one image (path, bytes or BGR array)
    people.find("group.jpg")                  # as facekit.find
    people.people(); people.remove("Ann"))")
      .def(py::init([](const py::object& db_path, const std::string& model_name, const std::string& detector_backend,
                       const std::optional<std::string>& distance_metric, bool enforce_detection,
                       const std::optional<double>& threshold, const std::string& landmarker,
                       const std::optional<std::string>& alignment, bool flip, std::shared_ptr<Engine> engine) {
             return PyGallery{.engine = engine ? engine : shared_engine(),
                              .db = path_argument(db_path, "db_path"),
                              .recognition = recognition_request(
                                  {.model_name = model_name, .detector_backend = detector_backend,
                                   .distance_metric = distance_metric, .enforce_detection = enforce_detection,
                                   .landmarker = landmarker, .alignment = alignment, .flip = flip}),
                              .threshold = threshold};
           }),
           py::arg("db_path"), py::kw_only(), py::arg("model_name") = std::string(kDefaultRecognizer),
           py::arg("detector_backend") = std::string(kDefaultDetector),
           py::arg("distance_metric") = std::optional<std::string>(), py::arg("enforce_detection") = true,
           py::arg("threshold") = std::optional<double>(), py::arg("landmarker") = std::string("faceapi-68"),
           py::arg("alignment") = std::optional<std::string>(), py::arg("flip") = false,
           py::arg("engine") = std::shared_ptr<Engine>())
      .def_property_readonly("db_path", [](const PyGallery& g) { return to_str(g.db); })
      .def("enroll", &enroll, R"(Enrolls one face of each photo: the one nearest the image centre.

Without name: `image` is a people folder (people/NAME/*.jpg or
people/NAME.jpg), enrolled incrementally as `facekit enroll` does. With
name: `image` is one image (path, bytes, data URI, BGR array) or a folder
of images of that one person. Returns `facekit enroll`'s counts (added,
replaced, unchanged, duplicates, faceless, unreadable, people, vectors)
and notes: one line per photo left out and why. Raises facekit.Error for
one image without a face (with enforce_detection).)",
           py::arg("image"), py::arg("name") = std::optional<py::str>())
      .def("find",
           [](PyGallery& g, const py::object& img, int k, const std::string& aggregation, const std::string& shape) {
             FindRequest request;
             request.db = g.db;
             request.recognition = g.recognition;
             request.threshold = g.threshold;
             request.k = k;
             request.aggregation = aggregation;
             return find_as(*g.engine, image_input(img, "img_path"), request, shape);
           },
           "Who each face of an image is: facekit.find against this gallery.", py::arg("img_path"), py::kw_only(),
           py::arg("k") = 5, py::arg("aggregation") = std::string("best"), py::arg("shape") = std::string("deepface"))
      .def("people", &people, "Everyone enrolled, in byte order of their names ([] before the first enrollment).")
      .def("remove",
           [](PyGallery& g, const py::str& name) {
             const std::string identity = from_str(name);
             const py::gil_scoped_release unlocked;
             g.engine->remove_person(g.db, identity);
           },
           "Removes a person with all their photos. Raises facekit.Error when nobody has that name.", py::arg("name"))
      .def("__len__", [](const PyGallery& g) { return people(g).size(); })
      .def("__repr__", [](const PyGallery& g) {
        return "facekit.Gallery(" + std::string(py::repr(to_str(masked_location(g.db)))) + ")";
      });
}

}  // namespace facekit::python
