// Which face a one-face verb takes (include/facekit/pipeline.h, FaceChoice).
#include <cmath>

#include "facekit/error.h"
#include "facekit/pipeline.h"

namespace facekit {

FaceChoice parse_face_choice(const std::string& name, const std::string& option) {
  if (name == "largest") return FaceChoice::kLargest;
  if (name == "center") return FaceChoice::kCenter;
  throw Error(option + ": '" + name + "' is neither largest nor center");
}

std::string face_choice_name(FaceChoice choice) { return choice == FaceChoice::kLargest ? "largest" : "center"; }

std::optional<size_t> largest_face(const std::vector<Face>& faces) {
  std::optional<size_t> best;
  for (size_t i = 0; i < faces.size(); ++i)
    if (!best || faces[i].box.area() > faces[*best].box.area()) best = i;
  return best;
}

namespace {

// How far the centre of `face`'s box lies from the centre of the image.
double centre_distance(const Face& face, cv::Size image) {
  return std::hypot(face.box.x + face.box.width / 2 - image.width / 2.0,
                    face.box.y + face.box.height / 2 - image.height / 2.0);
}

}  // namespace

std::optional<size_t> choose_face(const std::vector<Face>& faces, cv::Size image, FaceChoice choice) {
  if (choice == FaceChoice::kLargest) return largest_face(faces);
  std::optional<size_t> best;
  for (size_t i = 0; i < faces.size(); ++i)
    if (!best || centre_distance(faces[i], image) < centre_distance(faces[*best], image)) best = i;
  return best;
}

}  // namespace facekit
